import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadKafkaTopicSettings } from '../config';
import { aclMatrix, type Grant, type Operation } from '../kafka/acls';
import { allTopics, topicSpec } from '../kafka/topics';

/**
 * deploy/helm/homeward/examples/strimzi.yaml: Homeward's topics and users as a Strimzi-run Kafka
 * takes them, from the same sources as the code (kafka/topics.ts, kafka/acls.ts, the production
 * topic settings). `node --require tsx/cjs tools/strimzi-example.ts` writes it;
 * test/helm-chart.test.ts checks the committed file is what this writes.
 */
export const strimziExampleFile = path.join(__dirname, '..', 'deploy', 'helm', 'homeward', 'examples', 'strimzi.yaml');
const cluster = 'homeward-kafka';
const operations: Record<Operation, string> = {
  read: 'Read',
  write: 'Write',
  describe: 'Describe',
  'idempotent-write': 'IdempotentWrite',
};

function acl(grant: Grant) {
  const resource =
    grant.resource === 'cluster'
      ? { type: 'cluster' }
      : { type: grant.resource, name: grant.name, patternType: grant.pattern === 'prefixed' ? 'prefix' : 'literal' };
  return { resource, operations: grant.operations.map((operation) => operations[operation]) };
}

export function strimziExample(): string {
  // The production defaults: three partitions, three copies, two in sync, each topic's retention.
  const settings = loadKafkaTopicSettings({});
  const topicDocs = allTopics().map((topic) => {
    const spec = topicSpec(topic, settings);
    return {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: { name: topic, labels: { 'strimzi.io/cluster': cluster } },
      spec: {
        topicName: topic,
        partitions: spec.numPartitions,
        replicas: spec.replicationFactor,
        config: Object.fromEntries(spec.configEntries!.map((entry) => [entry.name, entry.value])),
      },
    };
  });
  const grants = aclMatrix();
  const users = [...new Set(grants.map((grant) => grant.principal))].map((principal) => ({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaUser',
    metadata: { name: principal, labels: { 'strimzi.io/cluster': cluster } },
    spec: {
      authentication: { type: 'scram-sha-512' },
      authorization: { type: 'simple', acls: grants.filter((grant) => grant.principal === principal).map(acl) },
    },
  }));
  const header = [
    '# Homeward on a Strimzi-run Kafka cluster (`homeward-kafka`, three brokers): its topics (three',
    '# partitions, three copies, min.insync.replicas 2, each retention as docs/architecture.md says) and a KafkaUser per',
    "# principal with exactly the ACLs of kafka/acls.ts. Strimzi puts each user's SCRAM password in a Secret",
    "# of the user's name: the chart reads `homeward`'s as kafka-password (values.yaml, secrets).",
    '# Written by tools/strimzi-example.ts; test/helm-chart.test.ts keeps it in step with the code.',
  ].join('\n');
  return `${header}\n${[...topicDocs, ...users].map((doc) => `---\n${stringify(doc)}`).join('')}`;
}

if (require.main === module) fs.writeFileSync(strimziExampleFile, strimziExample());
