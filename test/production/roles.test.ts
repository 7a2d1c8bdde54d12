// Homeward's roles as processes on the production profile's engines (the Temporal server over
// mTLS, its Kafka): the very tests `npm test` runs on the dev server, registered here again.
// Two workers and two APIs side by side; the projector in two instances, one SIGKILLed; a worker
// SIGKILLed mid-flight; PostgreSQL restarted under the projector. Each prints what it counted.
import '../roles.test';
import '../projector-scaling.test';
import '../worker-failover.test';
import '../projector-postgres-restart.test';
