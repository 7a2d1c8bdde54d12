import { Kafka, logLevel as kafkaLogLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/** A kafkajs client whose own logging goes through pino, so one log stream covers the process. */
export function createKafka(options: { brokers: string[]; clientId: string; logger?: Logger }): Kafka {
  const toPino: logCreator = () => ({ level, log }) => {
    if (!options.logger) return;
    const { message, ...extra } = log;
    const fields = { component: 'kafkajs', broker: extra.broker, error: extra.error };
    if (level === kafkaLogLevel.ERROR) options.logger.error(fields, message);
    else if (level === kafkaLogLevel.WARN) options.logger.warn(fields, message);
  };
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: kafkaLogLevel.WARN,
    logCreator: toPino,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}
