import type { Admin, Kafka, PartitionMetadata } from 'kafkajs';

/**
 * Topics' partitions, from the cluster's metadata (DESCRIBE on the topic is enough), each kept
 * as long as kafkajs keeps its own metadata by default (metadataMaxAge, 5 minutes): a topic
 * given more partitions is used in full within that time, as kafkajs itself would.
 */
export class TopicPartitions {
  private admin?: Admin;
  private connected?: Promise<void>;
  private readonly known = new Map<string, { partitions: PartitionMetadata[]; at: number }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly maxAgeMs = 300_000,
  ) {}

  async of(topics: Iterable<string>): Promise<Map<string, PartitionMetadata[]>> {
    const wanted = [...topics];
    const stale = wanted.filter((topic) => (this.known.get(topic)?.at ?? -Infinity) < Date.now() - this.maxAgeMs);
    if (stale.length > 0) {
      this.admin ??= this.kafka.admin();
      this.connected ??= this.admin.connect();
      try {
        await this.connected;
        const { topics: fetched } = await this.admin.fetchTopicMetadata({ topics: stale });
        for (const { name, partitions } of fetched) this.known.set(name, { partitions, at: Date.now() });
      } catch (error) {
        this.forget();
        throw error;
      }
    }
    return new Map(wanted.map((topic) => [topic, this.known.get(topic)?.partitions ?? []]));
  }

  /** After a failure: the next call asks the cluster again, on a new connection. */
  forget(): void {
    this.known.clear();
    const admin = this.admin;
    if (admin && this.connected) void this.connected.then(() => admin.disconnect()).catch(() => undefined);
    this.admin = undefined;
    this.connected = undefined;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    const connected = this.connected;
    this.admin = undefined;
    this.connected = undefined;
    if (admin && connected)
      await connected.then(
        () => admin.disconnect(),
        () => undefined,
      );
  }
}
