/** A SCRAM user of the local broker. */
export interface KafkaUser {
  username: string;
  password: string;
}

/** The broker's users by principal; `admin` is the super user the broker and Homeward's setup use. */
export type KafkaCredentials = Record<string, KafkaUser>;

export function adminUser(credentials: KafkaCredentials): KafkaUser {
  if (!credentials.admin) throw new Error("Kafka credentials have no admin user (check the data dir's secrets.json)");
  return credentials.admin;
}

export interface BrokerLayout {
  port: number;
  controllerPort: number;
  logDir: string;
}

const scram = (user: KafkaUser) =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user.username}" password="${user.password}";`;
/** PLAIN checks against the users listed in its own JAAS entry, so it works before any SCRAM user exists. */
const plain = (user: KafkaUser) =>
  `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user.username}" password="${user.password}" user_${user.username}="${user.password}";`;

/**
 * server.properties of the single-node KRaft broker. Clients authenticate with SCRAM-SHA-512 on
 * the CLIENT listener and StandardAuthorizer denies whatever no ACL allows. The CONTROLLER
 * listener authenticates too (PLAIN, the admin only): a plaintext one would make every local
 * process the super user ANONYMOUS, able to change broker configs through it.
 *
 * `addingUsers`: the admin may also sign in with PLAIN on the CLIENT listener, for the one start
 * that adds SCRAM users to a data dir formatted without them.
 */
export function serverProperties(layout: BrokerLayout, admin: KafkaUser, addingUsers = false): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${layout.controllerPort}`,
    `listeners=CLIENT://127.0.0.1:${layout.port},CONTROLLER://127.0.0.1:${layout.controllerPort}`,
    `advertised.listeners=CLIENT://127.0.0.1:${layout.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=CLIENT',
    'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
    `sasl.enabled.mechanisms=${addingUsers ? 'SCRAM-SHA-512,PLAIN' : 'SCRAM-SHA-512'}`,
    `sasl.mechanism.inter.broker.protocol=${addingUsers ? 'PLAIN' : 'SCRAM-SHA-512'}`,
    `listener.name.client.scram-sha-512.sasl.jaas.config=${scram(admin)}`,
    ...(addingUsers ? [`listener.name.client.plain.sasl.jaas.config=${plain(admin)}`] : []),
    'sasl.mechanism.controller.protocol=PLAIN',
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=${plain(admin)}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${admin.username}`,
    'allow.everyone.if.no.acl.found=false',
    `log.dirs=${layout.logDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'default.replication.factor=1',
    'group.initial.rebalance.delay.ms=0',
    // We create topics ourselves; auto-creation would hide a misspelt topic name.
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/** The admin's client settings for Kafka's own Java tools, signing in with PLAIN (see above). */
export function adminToolProperties(admin: KafkaUser): string {
  return [
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=PLAIN',
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${admin.username}" password="${admin.password}";`,
    '',
  ].join('\n');
}

/**
 * User names and passwords go into JAAS strings and StorageTool's `[name=…,password=…]`: allow
 * only characters that need no quoting there (generated ones are base64url).
 */
export function checkCredentials(credentials: KafkaCredentials): void {
  adminUser(credentials);
  for (const [principal, user] of Object.entries(credentials)) {
    for (const [field, value] of Object.entries(user)) {
      if (!/^[A-Za-z0-9._~-]{1,200}$/.test(value)) {
        throw new Error(
          `Kafka credentials of ${principal}: ${field} may hold only letters, digits and . _ ~ - (check the data dir's secrets.json)`,
        );
      }
    }
  }
}

/** One node of the three-node cluster: its ports and where it keeps its log. */
export interface ClusterNode {
  id: number;
  clientPort: number;
  internalPort: number;
  controllerPort: number;
  logDir: string;
}

/** The brokers' PKCS12 key and trust stores (one certificate, CN=kafka-broker, for every node) and their password. */
export interface ClusterStores {
  keystore: string;
  truststore: string;
  password: string;
}

/** The brokers' certificate's subject; as the TLS principal `User:CN=kafka-broker` on INTERNAL and CONTROLLER, a super user. */
export const brokerCommonName = 'kafka-broker';

/**
 * server.properties of one node of the production profile's cluster: broker and controller in one
 * process, three voters. Clients sign in with SCRAM-SHA-512 over TLS (CLIENT, SASL_SSL); brokers
 * and controllers talk over mutual TLS (INTERNAL, CONTROLLER), so no password crosses between
 * them and none is needed before a SCRAM user exists. Three copies of everything, two in sync
 * for a write. `fastFailover`: a dead broker is fenced after 4.5 s rather than 9 s, for fault tests
 * (less fences live brokers of a loaded 2-core machine that miss a few heartbeats).
 */
export function clusterNodeProperties(
  node: ClusterNode,
  nodes: ClusterNode[],
  stores: ClusterStores,
  admin: KafkaUser,
  fastFailover = false,
): string {
  const client = (n: ClusterNode) => `CLIENT://127.0.0.1:${n.clientPort}`;
  const internal = (n: ClusterNode) => `INTERNAL://127.0.0.1:${n.internalPort}`;
  return [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}`,
    `listeners=${client(node)},${internal(node)},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=${client(node)},${internal(node)}`,
    'listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL',
    'inter.broker.listener.name=INTERNAL',
    'controller.listener.names=CONTROLLER',
    'listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.internal.ssl.client.auth=required',
    'listener.name.controller.ssl.client.auth=required',
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${stores.keystore}`,
    `ssl.keystore.password=${stores.password}`,
    `ssl.key.password=${stores.password}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${stores.truststore}`,
    `ssl.truststore.password=${stores.password}`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:CN=${brokerCommonName};User:${admin.username}`,
    'allow.everyone.if.no.acl.found=false',
    `log.dirs=${node.logDir}`,
    'num.partitions=3',
    'default.replication.factor=3',
    'min.insync.replicas=2',
    'unclean.leader.election.enable=false',
    'offsets.topic.replication.factor=3',
    // Kafka's default of 50 suits thousands of consumer groups; Homeward has a handful.
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    ...(fastFailover
      ? ['broker.heartbeat.interval.ms=500', 'broker.session.timeout.ms=4500', 'replica.lag.time.max.ms=5000']
      : []),
    '',
  ].join('\n');
}

/** Arguments of Kafka's StorageTool that format a node with the cluster's SCRAM users, for a private argument file: they hold passwords. */
export function formatArguments(clusterId: string, propsFile: string, credentials: KafkaCredentials): string[] {
  checkCredentials(credentials);
  return [
    'kafka.tools.StorageTool',
    'format',
    '--cluster-id',
    clusterId,
    '--config',
    propsFile,
    ...Object.values(credentials).flatMap(({ username, password }) => [
      '--add-scram',
      `SCRAM-SHA-512=[name=${username},password=${password}]`,
    ]),
  ];
}
