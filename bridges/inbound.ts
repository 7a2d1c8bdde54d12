import { Client, Connection } from '@temporalio/client';
import { clientInterceptors } from '../telemetry/temporal';
import type { Logger } from 'pino';
import { createApplication } from '../app';
import { createDataConverter } from '../codec/data-converter';
import type { Config } from '../config';
import { reportsRunning, type Checks } from '../health/server';
import { connectionOptions } from '../config/temporal-connection';
import { createKafka } from '../kafka/client';
import { InboundConsumer } from '../kafka/inbound-consumer';
import { inboundTopics } from '../kafka/topics';
import { createInboundHandler } from './inbound-handlers';
import { agencyRejectionNotice } from './rejection-notices';

export interface RunningBridges {
  consumer: InboundConsumer;
  /** The readiness probe's: Temporal answers, the consumer runs. */
  checks: Checks;
  stop(): Promise<void>;
}

/**
 * The inbound bridges: agency responses and ADT messages from Kafka into pathway commands.
 * `groupId` must start with `homeward-`, the consumer groups the `homeward` principal may use.
 */
export async function startInboundBridges(
  config: Config,
  logger: Logger,
  groupId = config.inbound.groupId,
): Promise<RunningBridges> {
  const dataConverter = createDataConverter(config);
  const connection = await Connection.connect(connectionOptions(config.temporal));
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter,
    interceptors: clientInterceptors(),
  });
  const app = createApplication(client, config);
  const kafka = createKafka({ ...config.kafka, clientId: `${config.kafka.clientId}-inbound`, logger });
  const consumer = new InboundConsumer(
    kafka,
    groupId,
    createInboundHandler({ app }),
    logger.child({ component: 'inbound' }),
    agencyRejectionNotice,
  );
  const inbound = inboundTopics();
  await consumer.start(inbound);
  logger.info({ topics: inbound }, 'inbound bridges running');
  return {
    consumer,
    checks: {
      temporal: () => connection.workflowService.getSystemInfo({}),
      kafka: reportsRunning(consumer.healthComponent),
    },
    async stop() {
      await consumer.stop();
      await connection.close();
    },
  };
}
