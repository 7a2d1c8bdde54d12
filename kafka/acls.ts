import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type AclEntry,
  type Admin,
} from 'kafkajs';
import type { Agency } from '../schemas/common';
import { agencies, topics } from './topics';

/** Kafka principals (SCRAM user names) of Homeward's parties; `admin` is the broker's super user. */
export const principals = {
  homeward: 'homeward',
  adt: 'adt',
  /** The trust's NHS Notify / NHS App adapter: reads the patients' notifications, nothing else. */
  notify: 'notify',
  agency: (agency: Agency) => `agency-${agency}`,
} as const;

/**
 * Consumer groups each principal may use, by prefix. An agency's prefix ends in a dot and no
 * agency name contains one, so no agency's prefix covers another's groups, nor Homeward's.
 */
export const consumerGroups = {
  homeward: 'homeward-',
  notify: 'homeward.notify.',
  agency: (agency: Agency) => `homeward.agency.${agency}.`,
} as const;

export type Operation = 'read' | 'write' | 'describe' | 'idempotent-write';

/** One row of the ACL matrix: what a principal may do on a resource (a name, or every name with a prefix). */
export interface Grant {
  principal: string;
  resource: 'topic' | 'group' | 'cluster';
  name: string;
  pattern: 'literal' | 'prefixed';
  operations: Operation[];
}

const topic = (principal: string, name: string, operations: Operation[]): Grant => ({
  principal,
  resource: 'topic',
  name,
  pattern: 'literal',
  operations,
});

/**
 * Everything a non-admin principal may do, and nothing more (the broker denies what no ACL
 * allows). Agencies read only their own events and write only their own responses topic, which
 * is how the bridge knows who answered.
 */
export function aclMatrix(): Grant[] {
  const homeward = principals.homeward;
  return [
    // Read too: the read model's projector (consumer group homeward-projector) folds it into PostgreSQL.
    topic(homeward, topics.pathwayEvents, ['write', 'read', 'describe']),
    ...agencies.map((agency) => topic(homeward, topics.agencyEvents(agency), ['write', 'describe'])),
    topic(homeward, topics.dlq, ['write', 'describe']),
    topic(homeward, topics.notifications, ['write', 'describe']),
    topic(homeward, topics.adt, ['read', 'describe']),
    ...agencies.map((agency) => topic(homeward, topics.agencyResponses(agency), ['read', 'describe'])),
    {
      principal: homeward,
      resource: 'group',
      name: consumerGroups.homeward,
      pattern: 'prefixed',
      operations: ['read'],
    },
    // Brokers before 3.0 want this for an idempotent producer; later ones accept WRITE on a topic.
    {
      principal: homeward,
      resource: 'cluster',
      name: 'kafka-cluster',
      pattern: 'literal',
      operations: ['idempotent-write'],
    },
    topic(principals.adt, topics.adt, ['write', 'describe']),
    topic(principals.notify, topics.notifications, ['read', 'describe']),
    {
      principal: principals.notify,
      resource: 'group',
      name: consumerGroups.notify,
      pattern: 'prefixed',
      operations: ['read'],
    },
    ...agencies.flatMap((agency): Grant[] => [
      topic(principals.agency(agency), topics.agencyEvents(agency), ['read', 'describe']),
      topic(principals.agency(agency), topics.agencyResponses(agency), ['write', 'describe']),
      {
        principal: principals.agency(agency),
        resource: 'group',
        name: consumerGroups.agency(agency),
        pattern: 'prefixed',
        operations: ['read'],
      },
    ]),
  ];
}

const resourceTypes = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
};
const operationTypes: Record<Operation, AclOperationTypes> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
  'idempotent-write': AclOperationTypes.IDEMPOTENT_WRITE,
};

/** The matrix as Kafka ACL bindings: allow, from any host. */
export function aclEntries(grants: Grant[] = aclMatrix()): AclEntry[] {
  return grants.flatMap((grant) =>
    grant.operations.map((operation) => ({
      resourceType: resourceTypes[grant.resource],
      resourceName: grant.name,
      resourcePatternType: grant.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal: `User:${grant.principal}`,
      host: '*',
      operation: operationTypes[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/**
 * Creates the matrix's ACLs, as a principal allowed to (the local broker's `admin`), and waits
 * until the broker enforces them: the controller records them first, and a client that connects
 * in between would be refused. Idempotent: the broker keeps one copy of a binding.
 */
export async function applyAcls(admin: Admin, timeoutMs = 15_000): Promise<number> {
  const wanted = aclEntries();
  await admin.createAcls({ acl: wanted });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const present = new Set((await describeAll(admin)).map(aclKey));
    const missing = wanted.filter((entry) => !present.has(aclKey(entry)));
    if (missing.length === 0) return wanted.length;
    if (Date.now() > deadline)
      throw new Error(
        `Kafka did not apply ${missing.length} of Homeward's ACLs within ${timeoutMs / 1000}s, e.g. ${aclKey(missing[0])}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every ACL binding on the broker. */
export async function describeAll(admin: Admin): Promise<AclEntry[]> {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return resources.flatMap((resource) =>
    resource.acls.map((acl) => ({
      ...acl,
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
      resourcePatternType: resource.resourcePatternType,
    })),
  );
}

export const aclKey = (entry: AclEntry) =>
  [
    entry.principal,
    AclOperationTypes[entry.operation],
    AclResourceTypes[entry.resourceType],
    ResourcePatternTypes[entry.resourcePatternType],
    entry.resourceName,
    AclPermissionTypes[entry.permissionType],
    entry.host,
  ].join(' ');
