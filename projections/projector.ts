import type { Admin, Batch, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import type { Config } from '../config';
import { projectorEvents } from '../health/metrics';
import { forgetHealth, reportHealth } from '../health/registry';
import { reportsRunning, type Checks } from '../health/server';
import { createKafka } from '../kafka/client';
import { topics } from '../kafka/topics';
import { connectDatabase, inTransaction, type Database } from '../readmodel/database';
import { exportReadModelFigures } from '../readmodel/gauges';
import { checkSchema } from '../readmodel/migrate';
import { rollDelays } from './day-roll';
import { lockPosition, positions, savePosition, saveRejects, saveWatermarks } from './offsets';
import { sealQueuedEvents } from './personal-data';
import { decodeCloudEvent, type ProjectedEvent } from './recorded-event';
import { reproject, saveEvents } from './store';
import { carriesTrace, consumeSpan, endingSpans } from '../telemetry/kafka-spans';

/** The projector's consumer group by default (HOMEWARD_PROJECTOR_GROUP). Its Kafka principal needs READ on this group and on topic homeward.pathway.events, nothing else. */
export const projectorGroup = 'homeward-projector';

export interface ProjectorOptions {
  /** Default: the configuration's (HOMEWARD_PROJECTOR_GROUP). */
  groupId?: string;
  /** Today, as YYYY-MM-DD (UTC, as the domain counts days). */
  today?: () => string;
  /** How often the broker's end offsets are read (the lag /health reports) and delays rolled to a new day. */
  housekeepingMs?: number;
  /** Crash points, for the tests that kill the projector around its commit. */
  hooks?: { beforeDatabaseCommit?: () => Promise<void>; afterDatabaseCommit?: () => Promise<void> };
}

export interface RunningProjector {
  db: Database;
  readonly stats: { applied: number; skipped: number; rejected: number; batches: number };
  /** Rejects if kafkajs gives the consumer up (a non-retriable error): the process should exit, for its supervisor to start it again. */
  done: Promise<void>;
  /** The readiness probe's: PostgreSQL answers, the consumer is in its group and running. */
  checks: Checks;
  stop(): Promise<void>;
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/**
 * Keeps the read model: reads `homeward.pathway.events` in its own consumer group and, per batch
 * and in one PostgreSQL transaction, stores the new events, recomputes the pathways they touch and
 * moves its stored position on. The position in PostgreSQL is the truth: messages below it are
 * skipped, so a crash before or after the commit neither loses nor double-counts an event. The
 * group's Kafka offsets follow it (committed after PostgreSQL), for the usual lag tools.
 * Instances in one group share the partitions; a pathway's events share one partition (its key),
 * and the partition's position row, locked for the batch's transaction, serialises the two
 * instances that briefly both hold a partition while the group rebalances.
 */
export async function startProjector(
  config: Config,
  logger: Logger,
  options: ProjectorOptions = {},
): Promise<RunningProjector> {
  const log = logger.child({ component: 'projector' });
  const topic = topics.pathwayEvents;
  const groupId = options.groupId ?? config.projector.groupId;
  const today = options.today ?? utcToday;
  // First, as the worker's codec: a malformed HOMEWARD_CODEC_KEYS stops the projector before it connects to anything.
  const cipher = PersonalDataCipher.fromSetting(config.codecKeys);
  const db = connectDatabase(config.database.url, { application: 'homeward-projector', max: 4 });
  // Migrations are a step of their own (`homeward migrate`): this release refuses another's schema.
  await checkSchema(db).catch(async (error: unknown) => {
    await db.end();
    throw error;
  });
  // Before reading on: events stored in clear before migration 004, or queued after a key rotation.
  const sealing = await sealQueuedEvents(db, cipher);
  if (sealing.sealed > 0)
    log.info({ events: sealing.sealed, keyId: cipher.sealingKeyId }, 'personal data in the read model sealed');
  if (sealing.unopened > 0)
    log.warn(
      { events: sealing.unopened, reason: sealing.reason },
      'events left queued for sealing: this process cannot open them',
    );
  const kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-projector`, logger });
  // Without kafkajs's own log: each admin call that fails for good reaches this code as an error (a
  // failed start names it, housekeeping warns), while kafkajs logs at error level every answer it
  // retries, such as a new group's coordinator still moving on a broker that has just started.
  const admin = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-projector` }).admin();
  await admin.connect();
  await alignGroup(admin, db, groupId, topic, log);

  const stats = { applied: 0, skipped: 0, rejected: 0, batches: 0 };
  const { sessionTimeoutMs } = config.projector;
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxWaitTimeInMs: 1_000,
  });
  const component = `projector:${groupId}`;
  let givenUp!: (error: Error) => void;
  let ended!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    ended = resolve;
    givenUp = reject;
  });
  // Observed by whoever runs the process (projections/main.ts); a test's projector may leave it be.
  done.catch(() => undefined);
  // /health shows a projector that crashed (kafkajs restarts it, unless the error is not retriable).
  consumer.on(consumer.events.GROUP_JOIN, () => reportHealth(component, { status: 'running' }));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    reportHealth(component, { status: payload.restart ? 'restarting' : 'stopped', detail: payload.error.message });
    if (payload.restart) return;
    log.error(
      { groupId, error: payload.error.message },
      'projector stopped: the read model falls behind until the projector restarts',
    );
    givenUp(payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });

  async function apply(batch: Batch): Promise<void> {
    const last = batch.messages.at(-1)!;
    const nextOffset = BigInt(last.offset) + 1n;
    const outcome = await inTransaction(db, async (client) => {
      const position = await lockPosition(client, topic, batch.partition);
      const fresh = batch.messages.filter((message) => position === undefined || BigInt(message.offset) >= position);
      const skipped = batch.messages.length - fresh.length;
      stats.skipped += skipped;
      const events: ProjectedEvent[] = [];
      const rejected: { offset: string; reason: string }[] = [];
      for (const message of fresh) {
        const decoded = decodeCloudEvent(message.value?.toString());
        if (decoded.ok) events.push(decoded.event);
        else rejected.push({ offset: message.offset, reason: decoded.reason });
      }
      await saveEvents(client, events, cipher);
      await saveRejects(client, topic, batch.partition, rejected);
      await reproject(client, [...new Set(events.map((e) => e.pathwayId))], today());
      const lastEventAt = events
        .map((e) => e.recorded.event.at)
        .sort()
        .at(-1);
      await savePosition(client, {
        topic,
        partition: batch.partition,
        nextOffset,
        lastEventAt,
        endOffset: batch.highWatermark,
      });
      await options.hooks?.beforeDatabaseCommit?.();
      return { rejected, applied: events.length, skipped };
    });
    stats.batches += 1;
    stats.applied += outcome.applied;
    stats.rejected += outcome.rejected.length;
    projectorEvents.inc({ outcome: 'applied' }, outcome.applied);
    projectorEvents.inc({ outcome: 'rejected' }, outcome.rejected.length);
    projectorEvents.inc({ outcome: 'skipped' }, outcome.skipped);
    // The reason names a field, never a value: it may be logged.
    for (const reject of outcome.rejected)
      log.warn(
        { partition: batch.partition, offset: reject.offset, reason: reject.reason },
        'not a pathway event; kept in projector_rejects',
      );
    await options.hooks?.afterDatabaseCommit?.();
  }

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return;
      // Each traced event's trace goes on into the read model: one span per message, over the batch's transaction.
      const spans = batch.messages.filter(carriesTrace).map((message) => consumeSpan(topic, batch.partition, message));
      await endingSpans(spans, () => apply(batch));
      const last = batch.messages.at(-1)!.offset;
      resolveOffset(last);
      try {
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      } catch (error) {
        // PostgreSQL holds the position; Kafka's copy only serves the lag tools.
        log.warn(
          { partition: batch.partition, error: (error as Error).message },
          'could not commit the offset to Kafka',
        );
      }
      await heartbeat();
    },
  });

  let stopped = false;
  const housekeeping = async () => {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      await saveWatermarks(
        db,
        topic,
        offsets.map(({ partition, low, high }) => ({ partition, low, high })),
      );
      const rolled = await rollDelays(db, today());
      if (rolled > 0) log.info({ rolled, day: today() }, 'delays moved on to a new day');
    } catch (error) {
      if (!stopped) log.warn({ error: (error as Error).message }, 'projector housekeeping failed; will retry');
    }
  };
  await housekeeping();
  const timer = setInterval(() => void housekeeping(), options.housekeepingMs ?? 5_000);
  const unexport = exportReadModelFigures({ db, stuckForDays: config.readModel.stuckForDays });
  log.info({ topic, groupId }, 'projector running');
  return {
    db,
    stats,
    done,
    checks: { postgresql: () => db.query('SELECT 1'), kafka: reportsRunning(component) },
    async stop() {
      stopped = true;
      clearInterval(timer);
      unexport();
      forgetHealth(component);
      await consumer.disconnect();
      await admin.disconnect();
      await db.end();
      ended();
    },
  };
}

/**
 * Before joining, sets the group's Kafka offsets to the positions PostgreSQL holds (the earliest
 * offset where it holds none: a new or emptied read model starts from the beginning). If another
 * instance is already running the group cannot be moved (nor need be: its commits follow
 * PostgreSQL); the stored positions still skip what is done.
 */
async function alignGroup(admin: Admin, db: Database, groupId: string, topic: string, log: Logger): Promise<void> {
  const stored = await positions(db, topic);
  const [offsets, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    retrying(() => admin.fetchOffsets({ groupId, topics: [topic] })),
  ]);
  const kafkaHas = new Map(committed.partitions.map(({ partition, offset }) => [partition, offset]));
  const moves = offsets.flatMap(({ partition, low, high }) => {
    const position = stored.get(partition);
    // Never outside what the broker keeps (retention deletes from the start).
    const clamp = (offset: bigint) =>
      offset < BigInt(low) ? BigInt(low) : offset > BigInt(high) ? BigInt(high) : offset;
    const wanted = position === undefined ? BigInt(low) : clamp(position);
    const has = kafkaHas.get(partition) ?? '-1';
    // No committed offset already means "from the beginning" (the subscription says so).
    const already = has === '-1' ? wanted === BigInt(low) : BigInt(has) === wanted;
    return already ? [] : [{ partition, offset: wanted.toString() }];
  });
  if (moves.length === 0) return;
  try {
    await admin.setOffsets({ groupId, topic, partitions: moves });
    log.info({ groupId, partitions: moves.length }, 'consumer group moved to the read model positions');
  } catch (error) {
    const message = (error as Error).message;
    // Another instance already runs in the group (scaled out): its commits follow the same stored positions.
    if (/must have no running instances/.test(message))
      log.info({ groupId }, 'consumer group already running: joining it where its members are');
    else
      log.warn(
        { groupId, error: message },
        'could not line the consumer group up with the read model; stored positions still skip applied events',
      );
  }
}

/** A new group's coordinator takes a moment to load on a fresh broker; kafkajs's admin does not wait for it. */
export async function retrying<T>(call: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !(error as { retriable?: boolean }).retriable) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
