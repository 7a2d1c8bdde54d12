import { describe, expect, it } from 'vitest';
import { clusterNodeProperties, formatArguments, type ClusterNode } from '../tools/infra/kafka-properties';

const nodes: ClusterNode[] = [1, 2, 3].map((id) => ({
  id,
  clientPort: 9000 + id,
  internalPort: 9100 + id,
  controllerPort: 9200 + id,
  logDir: `/data/node${id}`,
}));
const stores = { keystore: '/data/tls/broker.p12', truststore: '/data/tls/truststore.p12', password: 'store-secret' };
const credentials = {
  admin: { username: 'admin', password: 'admin-secret' },
  homeward: { username: 'homeward', password: 'homeward-secret' },
};
const properties = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

describe("the three-node cluster's broker settings", () => {
  it('takes clients on SASL_SSL with SCRAM, brokers and controllers on mutual TLS, and keeps three copies', () => {
    const text = clusterNodeProperties(nodes[1], nodes, stores, credentials.admin);
    const p = properties(text);
    expect(p).toMatchObject({
      'node.id': '2',
      'controller.quorum.voters': '1@127.0.0.1:9201,2@127.0.0.1:9202,3@127.0.0.1:9203',
      listeners: 'CLIENT://127.0.0.1:9002,INTERNAL://127.0.0.1:9102,CONTROLLER://127.0.0.1:9202',
      'advertised.listeners': 'CLIENT://127.0.0.1:9002,INTERNAL://127.0.0.1:9102',
      'listener.security.protocol.map': 'CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL',
      'listener.name.client.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.internal.ssl.client.auth': 'required',
      'listener.name.controller.ssl.client.auth': 'required',
      'super.users': 'User:CN=kafka-broker;User:admin',
      'allow.everyone.if.no.acl.found': 'false',
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
      'log.dirs': '/data/node2',
    });
    // Brokers need no SCRAM password: users are checked against the metadata, brokers by certificate.
    for (const { password } of Object.values(credentials)) expect(text).not.toContain(password);
    expect(p['broker.session.timeout.ms']).toBeUndefined();
    expect(properties(clusterNodeProperties(nodes[0], nodes, stores, credentials.admin, true))).toMatchObject({
      'broker.session.timeout.ms': '4500',
      'broker.heartbeat.interval.ms': '500',
    });
  });

  it('formats a node with every SCRAM user, and refuses a credential that would need quoting', () => {
    expect(formatArguments('cluster-id', '/data/node1/server.properties', credentials)).toEqual([
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      'cluster-id',
      '--config',
      '/data/node1/server.properties',
      '--add-scram',
      'SCRAM-SHA-512=[name=admin,password=admin-secret]',
      '--add-scram',
      'SCRAM-SHA-512=[name=homeward,password=homeward-secret]',
    ]);
    expect(() => formatArguments('id', 'file', { ...credentials, adt: { username: 'adt', password: 'a,b]' } })).toThrow(
      /Kafka credentials of adt: password may hold only/,
    );
  });
});
