-- homeward:no-transaction
-- A carer signs in with their own NHS number's keyed hash: the access the discharge team recorded
-- for it is found without reading every event (app/my-plan.ts). Concurrently, so the projector
-- keeps writing while it builds; dropped first in case a failed build left it INVALID.
DROP INDEX CONCURRENTLY IF EXISTS pathway_events_carer_key;
CREATE INDEX CONCURRENTLY pathway_events_carer_key ON pathway_events ((event->>'carerKey')) WHERE type = 'carer_access.granted';
