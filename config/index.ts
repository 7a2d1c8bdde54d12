import { z } from 'zod';
import { PolicyOverrides } from '../domain/policy';

/** Deployment configuration from the environment: one schema, so a bad value fails at start naming the variable. */
export const Env = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('homeward-pathways'),
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).default('homeward'),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOMEWARD_REGION: z.enum(['england', 'scotland', 'wales']).default('england'),
  /** JSON object of policy overrides (durations, SLAs) for this deployment. */
  HOMEWARD_POLICY: z.string().optional(),
  /** Key for the keyed hash of NHS numbers used to match ADT messages to pathways. */
  HOMEWARD_PATIENT_KEY_SECRET: z.string().min(16).default('homeward-development-only-secret'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  temporal: { address: string; namespace: string; taskQueue: string };
  kafka: { brokers: string[]; clientId: string };
  http: { host: string; port: number };
  region: 'england' | 'scotland' | 'wales';
  policyOverrides: unknown;
  patientKeySecret: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  let policyOverrides: unknown = {};
  if (e.HOMEWARD_POLICY) {
    try {
      policyOverrides = JSON.parse(e.HOMEWARD_POLICY);
    } catch {
      throw new Error('Invalid configuration: HOMEWARD_POLICY is not valid JSON');
    }
    // Fail at start, naming the setting, rather than on the first pathway.
    const checked = PolicyOverrides.safeParse(policyOverrides);
    if (!checked.success) {
      throw new Error(`Invalid configuration: HOMEWARD_POLICY ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
  }
  return {
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    kafka: { brokers: e.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean), clientId: e.KAFKA_CLIENT_ID },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT },
    region: e.HOMEWARD_REGION,
    policyOverrides,
    patientKeySecret: e.HOMEWARD_PATIENT_KEY_SECRET,
    logLevel: e.LOG_LEVEL,
  };
}
