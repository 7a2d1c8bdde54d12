import type { Admin, Batch, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import type { Config } from '../config';
import { forgetHealth, reportHealth } from '../health/registry';
import { createKafka } from '../kafka/client';
import { topics } from '../kafka/topics';
import { connectDatabase, inTransaction, type Database } from '../readmodel/database';
import { migrate } from '../readmodel/migrate';
import { rollDelays } from './day-roll';
import { lockPosition, positions, savePosition, saveRejects, saveWatermarks } from './offsets';
import { sealQueuedEvents } from './personal-data';
import { decodeCloudEvent, type ProjectedEvent } from './recorded-event';
import { reproject, saveEvents } from './store';

/** The projector's consumer group. Its Kafka principal needs READ on this group and on topic homeward.pathway.events, nothing else. */
export const projectorGroup = 'homeward-projector';

export interface ProjectorOptions {
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
  stop(): Promise<void>;
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/**
 * Keeps the read model: reads `homeward.pathway.events` in its own consumer group and, per batch
 * and in one PostgreSQL transaction, stores the new events, recomputes the pathways they touch and
 * moves its stored position on. The position in PostgreSQL is the truth: messages below it are
 * skipped, so a crash before or after the commit neither loses nor double-counts an event. The
 * group's Kafka offsets follow it (committed after PostgreSQL), for the usual lag tools.
 */
export async function startProjector(config: Config, logger: Logger, options: ProjectorOptions = {}): Promise<RunningProjector> {
  const log = logger.child({ component: 'projector' });
  const topic = topics.pathwayEvents;
  const groupId = options.groupId ?? projectorGroup;
  const today = options.today ?? utcToday;
  // First, as the worker's codec: a malformed HOMEWARD_CODEC_KEYS stops the projector before it connects to anything.
  const cipher = PersonalDataCipher.fromSetting(config.codecKeys);
  const db = connectDatabase(config.database.url, { application: 'homeward-projector', max: 4 });
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ migrations: applied }, 'read model migrated');
  // Before reading on: events stored in clear before migration 004, or queued after a key rotation.
  const sealing = await sealQueuedEvents(db, cipher);
  if (sealing.sealed > 0) log.info({ events: sealing.sealed, keyId: cipher.sealingKeyId }, 'personal data in the read model sealed');
  if (sealing.unopened > 0) log.warn({ events: sealing.unopened, reason: sealing.reason }, 'events left queued for sealing: this process cannot open them');
  const kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-projector`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await alignGroup(admin, db, groupId, topic, log);

  const stats = { applied: 0, skipped: 0, rejected: 0, batches: 0 };
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 1_000 });
  const component = `projector:${groupId}`;
  // /health shows a projector that crashed (kafkajs restarts it, unless the error is not retriable).
  consumer.on(consumer.events.GROUP_JOIN, () => reportHealth(component, { status: 'running' }));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    reportHealth(component, { status: payload.restart ? 'restarting' : 'stopped', detail: payload.error.message });
    if (!payload.restart) log.error({ groupId, error: payload.error.message }, 'projector stopped: the read model falls behind until the worker restarts');
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });

  async function apply(batch: Batch): Promise<void> {
    const last = batch.messages.at(-1)!;
    const nextOffset = BigInt(last.offset) + 1n;
    const outcome = await inTransaction(db, async (client) => {
      const position = await lockPosition(client, topic, batch.partition);
      const fresh = batch.messages.filter((message) => position === undefined || BigInt(message.offset) >= position);
      stats.skipped += batch.messages.length - fresh.length;
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
      const lastEventAt = events.map((e) => e.recorded.event.at).sort().at(-1);
      await savePosition(client, { topic, partition: batch.partition, nextOffset, lastEventAt, endOffset: batch.highWatermark });
      await options.hooks?.beforeDatabaseCommit?.();
      return { rejected, applied: events.length };
    });
    stats.batches += 1;
    stats.applied += outcome.applied;
    stats.rejected += outcome.rejected.length;
    // The reason names a field, never a value: it may be logged.
    for (const reject of outcome.rejected) log.warn({ partition: batch.partition, offset: reject.offset, reason: reject.reason }, 'not a pathway event; kept in projector_rejects');
    await options.hooks?.afterDatabaseCommit?.();
  }

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (batch.messages.length === 0) return;
      await apply(batch);
      const last = batch.messages.at(-1)!.offset;
      resolveOffset(last);
      try {
        await consumer.commitOffsets([{ topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      } catch (error) {
        // PostgreSQL holds the position; Kafka's copy only serves the lag tools.
        log.warn({ partition: batch.partition, error: (error as Error).message }, 'could not commit the offset to Kafka');
      }
      await heartbeat();
    },
  });

  let stopped = false;
  const housekeeping = async () => {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      await saveWatermarks(db, topic, offsets.map(({ partition, low, high }) => ({ partition, low, high })));
      const rolled = await rollDelays(db, today());
      if (rolled > 0) log.info({ rolled, day: today() }, 'delays moved on to a new day');
    } catch (error) {
      if (!stopped) log.warn({ error: (error as Error).message }, 'projector housekeeping failed; will retry');
    }
  };
  await housekeeping();
  const timer = setInterval(() => void housekeeping(), options.housekeepingMs ?? 5_000);
  log.info({ topic, groupId }, 'projector running');
  return {
    db,
    stats,
    async stop() {
      stopped = true;
      clearInterval(timer);
      forgetHealth(component);
      await consumer.disconnect();
      await admin.disconnect();
      await db.end();
    },
  };
}

/**
 * Before joining, sets the group's Kafka offsets to the positions PostgreSQL holds (the earliest
 * offset where it holds none: a new or emptied read model starts from the beginning). If another
 * member is already running the group cannot be moved; the stored positions still skip what is done.
 */
async function alignGroup(admin: Admin, db: Database, groupId: string, topic: string, log: Logger): Promise<void> {
  const stored = await positions(db, topic);
  const [offsets, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), retrying(() => admin.fetchOffsets({ groupId, topics: [topic] }))]);
  const kafkaHas = new Map(committed.partitions.map(({ partition, offset }) => [partition, offset]));
  const moves = offsets.flatMap(({ partition, low, high }) => {
    const position = stored.get(partition);
    // Never outside what the broker keeps (retention deletes from the start).
    const clamp = (offset: bigint) => (offset < BigInt(low) ? BigInt(low) : offset > BigInt(high) ? BigInt(high) : offset);
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
    log.warn({ groupId, error: (error as Error).message }, 'could not line the consumer group up with the read model; stored positions still skip applied events');
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
