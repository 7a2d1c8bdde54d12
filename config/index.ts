import { z } from 'zod';
import { PolicyOverrides } from '../domain/policy';
import { withSecretFiles } from './secret-files';
import { loadTemporalConnection, loopbackHosts, type TemporalConnectionSettings } from './temporal-connection';
import { devClientId } from './dev-issuer';

const optional = z.string().min(1).optional();
/** Days a topic keeps a record, or `forever`. */
const retentionDays = z.union([z.literal('forever'), z.coerce.number().int().min(1).max(36_500)]);

/** Deployment configuration from the environment: one schema, so a bad value fails at start naming the variable. */
export const Env = z.object({
  /** `production` refuses every development shortcut (development issuer, generated keys). */
  HOMEWARD_ENV: z.enum(['development', 'production']).default('development'),
  /**
   * Defaults when neither these variables nor a Temporal client profile name a server: npm start's
   * local dev server. TLS, mTLS and API key: TEMPORAL_TLS* and TEMPORAL_API_KEY, read the Temporal
   * SDK's way in config/temporal-connection.ts.
   */
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('homeward-pathways'),
  /**
   * Pathways a worker keeps in memory; the rest are replayed from their short histories when a
   * timer or command wakes them. 100 keeps a worker at about 250 MiB on 2 cores with 10,000 open:
   * it idles at about 195 MiB and each cached pathway adds about 0.22 MiB (bench memory phase,
   * docs/performance.md), so a smaller cache would save little. 100 is 2.5× the SDK's 40
   * concurrent workflow tasks, and a trust's peak (0.2 commands/s) replaying every command costs
   * the worker about 1% of a core.
   */
  HOMEWARD_WORKER_CACHED_PATHWAYS: z.coerce.number().int().min(0).max(100_000).default(100),
  /** A pre-built workflow bundle (runtime/bundle-workflows.ts); without it the worker bundles at start, in a child process. */
  HOMEWARD_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  /**
   * Keys of the payload codec that encrypts Temporal payloads (AES-256-GCM): comma-separated
   * `<keyId>:<base64 of 32 bytes>`. The first encrypts; every one listed decrypts, so keys rotate.
   */
  HOMEWARD_CODEC_KEYS: optional,
  /**
   * Keys that sign every pathway command the application sends to Temporal (HMAC-SHA-256), in the
   * codec keys' format: the first signs, every one listed checks. The worker refuses a command
   * without a valid signature, so reaching Temporal's port is not enough to write to a pathway.
   */
  HOMEWARD_COMMAND_KEYS: optional,
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('homeward'),
  /** SASL for an existing cluster (and the local broker, whose credentials npm start generates). */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: optional,
  KAFKA_SASL_PASSWORD: optional,
  /** `true` for TLS to the brokers; KAFKA_SSL_CA_FILE adds a private CA. */
  KAFKA_SSL: z.enum(['true', 'false']).default('false'),
  KAFKA_SSL_CA_FILE: optional,
  /**
   * Topics Homeward creates when missing (npm start, the worker, kafka/setup-main.ts), with
   * production defaults (docs/architecture.md, Kafka). A pathway's events are keyed by its id: the partition
   * count is fixed for a topic's life, since changing it moves pathways between partitions.
   */
  HOMEWARD_KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1_000).default(3),
  /** Three copies survive one broker lost and a second being restarted. */
  HOMEWARD_KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(15).default(3),
  /** With acks=all, a write is on this many brokers before send() returns, and refused rather than kept on fewer. */
  HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).max(15).default(2),
  /** The audit stream of every pathway event, which a lost read model is rebuilt from. */
  HOMEWARD_KAFKA_EVENTS_RETENTION_DAYS: retentionDays.default('forever'),
  /** Each agency's events and responses topics: long enough to outlast an agency's outage. */
  HOMEWARD_KAFKA_AGENCY_RETENTION_DAYS: retentionDays.default(30),
  /** The hospital PAS feed (names and NHS numbers in clear), read only by Homeward's bridge. */
  HOMEWARD_KAFKA_ADT_RETENTION_DAYS: retentionDays.default(14),
  /** Refused inbound messages, kept until someone has looked, fixed and replayed them. */
  HOMEWARD_KAFKA_DLQ_RETENTION_DAYS: retentionDays.default(90),
  /** homeward.notifications: NHS numbers in clear, read only by the trust's messaging adapter, which sends within minutes. */
  HOMEWARD_KAFKA_NOTIFICATIONS_RETENTION_DAYS: retentionDays.default(7),
  /** The read model's PostgreSQL (`postgres://user:password@host:port/db`); npm start runs a local one. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected postgres://user:password@host:port/database')
    .optional(),
  /** An open pathway with no event for this many days counts as stuck on the managers' list. */
  HOMEWARD_STUCK_FOR_DAYS: z.coerce.number().int().min(1).default(7),
  /** Loopback unless said otherwise: a container (docker-compose.yml) says 0.0.0.0, its own interfaces. */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /**
   * Requests a client (a token's subject; without a valid token, an IP address) may make in a
   * minute. 600, 10 a second, is well above a person's or a dashboard's pace and a well-behaved
   * integration's, and keeps one runaway client from taking the API from everyone else.
   */
  HOMEWARD_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /**
   * A small HTTP port of every role's process for an orchestrator's probes (/health/live,
   * /health/ready), on HTTP_HOST; unset, none. 0 takes a free port (its URL is logged).
   */
  HOMEWARD_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** The projector's consumer group: its instances share the partitions. Another group reads the topic again from the start (a second read model). */
  /** The inbound bridges' consumer group (agency responses, ADT): every bridges process of one deployment shares it. */
  HOMEWARD_INBOUND_GROUP: z
    .string()
    .regex(/^homeward-[\w.-]+$/, 'must start with homeward- (the consumer groups the homeward principal may use)')
    .default('homeward-inbound'),
  HOMEWARD_PROJECTOR_GROUP: z
    .string()
    .regex(/^homeward-[\w.-]+$/, 'must start with homeward- (the consumer groups the homeward principal may use)')
    .default('homeward-projector'),
  /**
   * Seconds a projector instance may go unheard before the broker gives its partitions to the
   * others: how long a dead instance's share of the read model waits. Kafka's own default (30);
   * at least the broker's group.min.session.timeout.ms (6 by default).
   */
  HOMEWARD_PROJECTOR_SESSION_TIMEOUT: z.coerce.number().int().min(6).max(1800).default(30),
  /** The identity provider whose tokens the API accepts (the `iss` claim). */
  HOMEWARD_OIDC_ISSUER: z.url().optional(),
  HOMEWARD_OIDC_AUDIENCE: z.string().min(1).default('homeward'),
  /** Defaults to the issuer's discovery document's `jwks_uri`. */
  HOMEWARD_OIDC_JWKS_URL: z.url().optional(),
  /** Comma-separated JWS algorithms accepted; anything else (including `none` and HS*) is refused. */
  HOMEWARD_OIDC_ALGORITHMS: z.string().min(1).default('RS256,ES256,PS256'),
  /** Claim (dotted path; arrays are flattened) holding Homeward roles or values HOMEWARD_OIDC_ROLE_MAP maps to roles. */
  HOMEWARD_OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** JSON object: claim value → Homeward role, e.g. a national RBAC activity code → "discharge-team". */
  HOMEWARD_OIDC_ROLE_MAP: optional,
  /** Claim (dotted path) listing the sites a discharge team or manager may act on; absent = every site, malformed = refused. */
  HOMEWARD_OIDC_SITES_CLAIM: z.string().min(1).default('sites'),
  /**
   * Longest a token may be minted to live (exp - iat), in seconds. Two hours: Microsoft Entra ID's
   * access tokens live 60-90 minutes and most issuers' an hour, so a trust's own tokens pass, while
   * a token taken from a log or a browser is useless soon after. At most a day.
   */
  HOMEWARD_OIDC_MAX_TOKEN_LIFETIME: z.coerce.number().int().min(60).max(86_400).default(7_200),
  /** The staff pages' sign-in (authorization code + PKCE): the client id the issuer registered Homeward under. */
  HOMEWARD_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** Where the issuer sends the browser back: Homeward's `/signed-in` as the issuer registered it. */
  HOMEWARD_OIDC_REDIRECT_URI: z.url().optional(),
  /** Scopes the pages ask for; an issuer that needs an API scope for the access token's audience names it here. */
  HOMEWARD_OIDC_SCOPE: z
    .string()
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'space-separated scopes')
    .default('openid profile'),
  /** Seconds the issuer's clock may differ from ours when checking exp, nbf and iat. */
  HOMEWARD_OIDC_CLOCK_SKEW: z.coerce.number().int().min(0).max(300).default(60),
  HOMEWARD_REGION: z.enum(['england', 'scotland', 'wales']).default('england'),
  /** JSON object of policy overrides (durations, SLAs) for this deployment. */
  HOMEWARD_POLICY: z.string().optional(),
  /** Key for the keyed hash of NHS numbers used to match ADT messages to pathways; no default. */
  HOMEWARD_PATIENT_KEY_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type KafkaSasl = { mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain'; username: string; password: string };
/** How Homeward creates its topics (kafka/topics.ts). */
export type KafkaTopicSettings = {
  partitions: number;
  replicationFactor: number;
  minInsyncReplicas: number;
  retentionDays: Record<'events' | 'agency' | 'adt' | 'dlq' | 'notifications', number | 'forever'>;
  /** Development: a cluster with fewer brokers gets fewer replicas, with a warning. Production refuses to create topics there. */
  allowFewerReplicas: boolean;
};
export type KafkaConfig = { brokers: string[]; clientId: string; sasl?: KafkaSasl; ssl: boolean; sslCaFile?: string };

export type Config = {
  env: 'development' | 'production';
  temporal: TemporalConnectionSettings & { taskQueue: string };
  worker: { maxCachedWorkflows: number; workflowBundle?: string };
  /** Raw HOMEWARD_CODEC_KEYS; parsed by the codec, which names what is wrong. */
  codecKeys: string;
  /** Raw HOMEWARD_COMMAND_KEYS; parsed by the codec, which names what is wrong. */
  commandKeys: string;
  kafka: KafkaConfig;
  kafkaTopics: KafkaTopicSettings;
  /** `url` is required by the processes that use the read model (API, projector); they say so at start. */
  database: { url?: string };
  readModel: { stuckForDays: number };
  http: { host: string; port: number; rateLimitPerMinute: number };
  /** The role's probe port (runtime/role.ts); undefined: none. */
  health: { port?: number };
  inbound: { groupId: string };
  projector: { groupId: string; sessionTimeoutMs: number };
  oidc: {
    issuer?: string;
    audience: string;
    jwksUrl?: string;
    algorithms: string[];
    rolesClaim: string;
    roleMap: Record<string, string>;
    sitesClaim: string;
    maxTokenLifetimeSeconds: number;
    clockSkewSeconds: number;
    /**
     * The staff pages' sign-in. Development: the development issuer's client id, and the redirect
     * URI the page's own origin + `/signed-in` (undefined here). Production: both set, or no browser sign-in.
     */
    browser: { clientId?: string; redirectUri?: string; scope: string };
  };
  region: 'england' | 'scotland' | 'wales';
  policyOverrides: unknown;
  patientKeySecret: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
};

const fail = (problem: string): never => {
  throw new Error(`Invalid configuration: ${problem}`);
};

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(`${name} is not valid JSON`);
  }
}

/**
 * Whoever answers for the issuer hands out the keys every token is checked against, so they come
 * over https: plain http is a development convenience for an issuer on this machine only.
 */
function checkIssuerTransport(name: string, url: string | undefined, env: 'development' | 'production'): void {
  if (!url) return;
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return;
  if (env === 'production') fail(`${name} must be an https: URL in production (got ${protocol})`);
  if (protocol !== 'http:' || !loopbackHosts.has(hostname))
    fail(`${name} must be an https: URL, or http: on this machine only (127.0.0.1, ::1, localhost)`);
}

const issuesText = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');

const KafkaEnv = Env.pick({
  KAFKA_BROKERS: true,
  KAFKA_CLIENT_ID: true,
  KAFKA_SASL_MECHANISM: true,
  KAFKA_SASL_USERNAME: true,
  KAFKA_SASL_PASSWORD: true,
  KAFKA_SSL: true,
  KAFKA_SSL_CA_FILE: true,
});

const KafkaTopicEnv = Env.pick({
  HOMEWARD_ENV: true,
  HOMEWARD_KAFKA_PARTITIONS: true,
  HOMEWARD_KAFKA_REPLICATION_FACTOR: true,
  HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS: true,
  HOMEWARD_KAFKA_EVENTS_RETENTION_DAYS: true,
  HOMEWARD_KAFKA_AGENCY_RETENTION_DAYS: true,
  HOMEWARD_KAFKA_ADT_RETENTION_DAYS: true,
  HOMEWARD_KAFKA_DLQ_RETENTION_DAYS: true,
  HOMEWARD_KAFKA_NOTIFICATIONS_RETENTION_DAYS: true,
});

function kafkaSettings(e: z.infer<typeof KafkaEnv>): KafkaConfig {
  const sasl = [e.KAFKA_SASL_MECHANISM, e.KAFKA_SASL_USERNAME, e.KAFKA_SASL_PASSWORD];
  if (sasl.some(Boolean) && !sasl.every(Boolean))
    fail('KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together');
  if (e.KAFKA_SSL_CA_FILE && e.KAFKA_SSL !== 'true') fail('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true');
  return {
    brokers: e.KAFKA_BROKERS.split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    clientId: e.KAFKA_CLIENT_ID,
    sasl: e.KAFKA_SASL_MECHANISM
      ? { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME!, password: e.KAFKA_SASL_PASSWORD! }
      : undefined,
    ssl: e.KAFKA_SSL === 'true',
    sslCaFile: e.KAFKA_SSL_CA_FILE,
  };
}

function topicSettings(e: z.infer<typeof KafkaTopicEnv>): KafkaTopicSettings {
  if (e.HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS > e.HOMEWARD_KAFKA_REPLICATION_FACTOR) {
    fail(
      `HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS (${e.HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS}) exceeds HOMEWARD_KAFKA_REPLICATION_FACTOR (${e.HOMEWARD_KAFKA_REPLICATION_FACTOR}): every write would be refused`,
    );
  }
  return {
    partitions: e.HOMEWARD_KAFKA_PARTITIONS,
    replicationFactor: e.HOMEWARD_KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: e.HOMEWARD_KAFKA_MIN_INSYNC_REPLICAS,
    retentionDays: {
      events: e.HOMEWARD_KAFKA_EVENTS_RETENTION_DAYS,
      agency: e.HOMEWARD_KAFKA_AGENCY_RETENTION_DAYS,
      adt: e.HOMEWARD_KAFKA_ADT_RETENTION_DAYS,
      dlq: e.HOMEWARD_KAFKA_DLQ_RETENTION_DAYS,
      notifications: e.HOMEWARD_KAFKA_NOTIFICATIONS_RETENTION_DAYS,
    },
    allowFewerReplicas: e.HOMEWARD_ENV !== 'production',
  };
}

/**
 * Only the Kafka settings, for tools that need no other secret (`homeward agency tail`, topic and
 * ACL setup): the same variables and checks as loadConfig.
 */
export function loadKafkaConfig(given: NodeJS.ProcessEnv = process.env): KafkaConfig {
  const parsed = KafkaEnv.safeParse(withSecretFiles(given));
  if (!parsed.success) fail(issuesText(parsed.error));
  return kafkaSettings(parsed.data!);
}

/** Only the settings of Homeward's topics, for the tools that create them (kafka/setup-main.ts, the local broker's setup). */
export function loadKafkaTopicSettings(env: NodeJS.ProcessEnv = process.env): KafkaTopicSettings {
  const parsed = KafkaTopicEnv.safeParse(env);
  if (!parsed.success) fail(issuesText(parsed.error));
  return topicSettings(parsed.data!);
}

/**
 * Reads and checks the environment. What every process needs is required here, so a missing
 * secret fails at start naming the variable, never on the first pathway. `npm start` and the
 * tests generate development values (config/dev-secrets.ts); a deployment sets its own.
 */
export function loadConfig(given: NodeJS.ProcessEnv = process.env): Config {
  // `<NAME>_FILE` for each secret (config/secret-files.ts): read before anything is checked.
  const env = withSecretFiles(given);
  const parsed = Env.safeParse(env);
  if (!parsed.success) fail(issuesText(parsed.error));
  const e = parsed.data!;
  let policyOverrides: unknown = {};
  if (e.HOMEWARD_POLICY) {
    policyOverrides = parseJson('HOMEWARD_POLICY', e.HOMEWARD_POLICY);
    const checked = PolicyOverrides.safeParse(policyOverrides);
    if (!checked.success)
      fail(`HOMEWARD_POLICY ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (!e.HOMEWARD_PATIENT_KEY_SECRET)
    fail(
      'HOMEWARD_PATIENT_KEY_SECRET is not set (npm start generates a development one; a deployment sets its own, 32+ random characters)',
    );
  if (!e.HOMEWARD_CODEC_KEYS)
    fail('HOMEWARD_CODEC_KEYS is not set (npm start generates a development key; a deployment sets its own)');
  if (!e.HOMEWARD_COMMAND_KEYS)
    fail('HOMEWARD_COMMAND_KEYS is not set (npm start generates a development key; a deployment sets its own)');
  for (const name of ['HOMEWARD_OIDC_ISSUER', 'HOMEWARD_OIDC_JWKS_URL', 'HOMEWARD_OIDC_REDIRECT_URI'] as const)
    checkIssuerTransport(name, e[name], e.HOMEWARD_ENV);
  if (e.HOMEWARD_ENV === 'production' && Boolean(e.HOMEWARD_OIDC_CLIENT_ID) !== Boolean(e.HOMEWARD_OIDC_REDIRECT_URI)) {
    fail(
      'HOMEWARD_OIDC_CLIENT_ID and HOMEWARD_OIDC_REDIRECT_URI go together: the staff pages sign in with both, or not at all',
    );
  }
  const roleMap = e.HOMEWARD_OIDC_ROLE_MAP ? parseJson('HOMEWARD_OIDC_ROLE_MAP', e.HOMEWARD_OIDC_ROLE_MAP) : {};
  if (
    typeof roleMap !== 'object' ||
    roleMap === null ||
    Array.isArray(roleMap) ||
    Object.values(roleMap).some((v) => typeof v !== 'string')
  ) {
    fail('HOMEWARD_OIDC_ROLE_MAP must be a JSON object of claim value → role');
  }
  return {
    env: e.HOMEWARD_ENV,
    temporal: {
      ...loadTemporalConnection(env, {
        production: e.HOMEWARD_ENV === 'production',
        defaults: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE },
      }),
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
    worker: { maxCachedWorkflows: e.HOMEWARD_WORKER_CACHED_PATHWAYS, workflowBundle: e.HOMEWARD_WORKFLOW_BUNDLE },
    codecKeys: e.HOMEWARD_CODEC_KEYS!,
    commandKeys: e.HOMEWARD_COMMAND_KEYS!,
    kafka: kafkaSettings(e),
    kafkaTopics: topicSettings(e),
    database: { url: e.DATABASE_URL },
    readModel: { stuckForDays: e.HOMEWARD_STUCK_FOR_DAYS },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, rateLimitPerMinute: e.HOMEWARD_RATE_LIMIT_PER_MINUTE },
    health: { port: e.HOMEWARD_HEALTH_PORT },
    inbound: { groupId: e.HOMEWARD_INBOUND_GROUP },
    projector: { groupId: e.HOMEWARD_PROJECTOR_GROUP, sessionTimeoutMs: e.HOMEWARD_PROJECTOR_SESSION_TIMEOUT * 1000 },
    oidc: {
      issuer: e.HOMEWARD_OIDC_ISSUER,
      audience: e.HOMEWARD_OIDC_AUDIENCE,
      jwksUrl: e.HOMEWARD_OIDC_JWKS_URL,
      algorithms: e.HOMEWARD_OIDC_ALGORITHMS.split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      rolesClaim: e.HOMEWARD_OIDC_ROLES_CLAIM,
      roleMap: roleMap as Record<string, string>,
      sitesClaim: e.HOMEWARD_OIDC_SITES_CLAIM,
      maxTokenLifetimeSeconds: e.HOMEWARD_OIDC_MAX_TOKEN_LIFETIME,
      clockSkewSeconds: e.HOMEWARD_OIDC_CLOCK_SKEW,
      browser: {
        clientId: e.HOMEWARD_OIDC_CLIENT_ID ?? (e.HOMEWARD_ENV === 'production' ? undefined : devClientId),
        redirectUri: e.HOMEWARD_OIDC_REDIRECT_URI,
        scope: e.HOMEWARD_OIDC_SCOPE,
      },
    },
    region: e.HOMEWARD_REGION,
    policyOverrides,
    patientKeySecret: e.HOMEWARD_PATIENT_KEY_SECRET!,
    logLevel: e.LOG_LEVEL,
  };
}
