import { loadConfig } from '../config';
import { describeConnection, temporalServerConfigured } from '../config/temporal-connection';
import { applyDevSecrets } from '../config/dev-secrets';
import { startDevIssuer } from '../config/dev-issuer';
import { createKafka } from '../kafka/client';
import { ensureTopics } from '../kafka/topics';
import { connectDatabase } from '../readmodel/database';
import { migrate } from '../readmodel/migrate';
import { ensureComponents, isInstalled, neededComponents } from './infra/install';
import type { KafkaCredentials } from './infra/kafka';
import { local, setUpLocalKafka, startLocalKafka, startLocalPostgres, startLocalTemporal } from './infra/local';
import { MissingToolError } from './infra/process';
import { paths } from './infra/paths';
import type { RunningServer } from './infra/temporal';
import { spawnRole } from './roles';
import { roleTitles } from '../runtime/role';

/**
 * `npm start`: the whole system on one machine. Local Temporal, Kafka and PostgreSQL are started
 * unless TEMPORAL_ADDRESS (or a Temporal client profile) / KAFKA_BROKERS / DATABASE_URL name existing servers; then one
 * process of each role, as a deployment runs them: the worker, the inbound Kafka bridges, the read
 * model's projector and the HTTP API. Ctrl-C stops everything in reverse order.
 */
async function main(): Promise<void> {
  const say = (line: string) => console.error(line);
  const stack: { name: string; stop: () => Promise<void> }[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nShutting down…');
    for (const item of stack.reverse()) {
      try {
        await item.stop();
        say(`  stopped ${item.name}`);
      } catch (error) {
        say(`  ${item.name} did not stop cleanly: ${String(error)}`);
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const missing = neededComponents({ testServer: false }).filter((component) => !isInstalled(component));
    if (missing.length > 0)
      say(`Homeward: installing ${missing.join(' and ')} into the cache (first run only; this takes minutes)…`);
    await ensureComponents(missing);

    // Before the servers: the local broker is created with the generated Kafka credentials.
    let devIssuer: string | undefined;
    let kafkaCredentials: KafkaCredentials | undefined;
    let postgresPassword: string | undefined;
    if (process.env.HOMEWARD_ENV !== 'production') {
      const secrets = (await applyDevSecrets(paths.dataDir))!;
      kafkaCredentials = secrets.kafka;
      postgresPassword = secrets.postgresPassword;
      say(
        `Development secrets (hash key, payload key, token issuer, Kafka credentials) are in ${paths.dataDir}/secrets.json`,
      );
      if (!process.env.HOMEWARD_OIDC_ISSUER) {
        const issuer = await startDevIssuer(secrets, local.devIssuerPort, {
          audience: process.env.HOMEWARD_OIDC_AUDIENCE,
        });
        stack.push({ name: 'development token issuer', stop: issuer.close });
        process.env.HOMEWARD_OIDC_ISSUER = devIssuer = issuer.url;
      }
    }
    const servers: Promise<RunningServer>[] = [];
    if (!temporalServerConfigured()) {
      say(`Starting Temporal dev server on 127.0.0.1:${local.temporalPort} (data in ${paths.dataDir})…`);
      servers.push(
        startLocalTemporal().then((server) => {
          process.env.TEMPORAL_ADDRESS = server.address;
          stack.push({ name: 'Temporal dev server', stop: server.stop });
          return server;
        }),
      );
    }
    const localKafka = !process.env.KAFKA_BROKERS;
    if (localKafka) {
      if (!kafkaCredentials)
        throw new Error('HOMEWARD_ENV=production starts no local Kafka broker: set KAFKA_BROKERS and KAFKA_SASL_*');
      say(`Starting Kafka broker on 127.0.0.1:${local.kafkaPort} (SASL/SCRAM, ACLs)…`);
      servers.push(
        startLocalKafka(kafkaCredentials).then((server) => {
          process.env.KAFKA_BROKERS = server.address;
          stack.push({ name: 'Kafka broker', stop: server.stop });
          return server;
        }),
      );
    }
    if (!process.env.DATABASE_URL && postgresPassword) {
      say(`Starting PostgreSQL (the read model) on 127.0.0.1:${local.postgresPort}…`);
      servers.push(
        startLocalPostgres(postgresPassword).then((server) => {
          process.env.DATABASE_URL = server.address;
          stack.push({ name: 'PostgreSQL', stop: server.stop });
          return server;
        }),
      );
    }
    const started = await Promise.all(servers);

    const config = loadConfig();
    if (localKafka) {
      const { createdTopics, acls } = await setUpLocalKafka(config.kafka.brokers[0], kafkaCredentials!);
      say(
        `Kafka: ${createdTopics.length} topics created, ${acls} ACLs in place; each agency's credentials are in secrets.json`,
      );
    } else {
      // An existing cluster's admins own its ACLs; Homeward creates only missing topics, if allowed.
      const admin = createKafka({ ...config.kafka, clientId: 'homeward-start' }).admin();
      await admin.connect();
      const created = await ensureTopics(admin, config.kafkaTopics, { warn: say }).finally(() => admin.disconnect());
      if (created.length > 0) say(`Created ${created.length} Kafka topics`);
    }

    // Migrations are a step of their own, before any role starts: the roles only check the schema.
    const db = connectDatabase(config.database.url, { application: 'homeward-migrate', max: 1 });
    const migrated = await migrate(db).finally(() => db.end());
    if (migrated.length > 0) say(`Read model: applied ${migrated.join(', ')}`);

    // Each role a process of its own, started together; they read the servers and the development
    // secrets from this environment. Stopped in reverse: the bridges' commands need the worker.
    let running = false;
    const roles = (['worker', 'bridges', 'projector', 'api'] as const).map((role) => {
      const name = roleTitles[role];
      const child = spawnRole(role, process.env);
      stack.push({
        name,
        stop: async () => {
          const { code, signal } = await child.stop();
          if (code !== 0) throw new Error(`it exited with ${signal ?? `code ${code}`}`);
        },
      });
      // Once all run (before that, the failure to start is reported below).
      void child.exited.then(({ code, signal }) => {
        if (stopping || !running) return;
        say(`The ${name} stopped (${signal ?? `exit code ${code}`}); stopping everything.`);
        void shutdown(1);
      });
      return child;
    });
    const [, , , api] = await Promise.all(roles.map((role) => role.ready));
    running = true;

    const ui = started.find((server) => server.uiUrl)?.uiUrl;
    say('');
    say('Homeward is running:');
    say(`  HTTP API        ${api.url}   (OpenAPI: ${api.url}/openapi.json)`);
    say(`  Temporal        ${describeConnection(config.temporal)}, task queue ${config.temporal.taskQueue}`);
    if (ui) say(`  Temporal UI     ${ui}`);
    say(
      `  Token issuer    ${config.oidc.issuer}${devIssuer ? '   (development issuer: `npx homeward login --role discharge-team`)' : ''}`,
    );
    say(`  Kafka           ${config.kafka.brokers.join(',')}`);
    say(
      `  PostgreSQL      ${new URL(config.database.url!).host}  (read model; managers' dashboard: ${api.url}/dashboard, discharge team's board: ${api.url}/board)`,
    );
    say('Press Ctrl-C to stop.');
  } catch (error) {
    say(
      error instanceof MissingToolError
        ? error.message
        : `Homeward failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    await shutdown(1);
  }
}

void main();
