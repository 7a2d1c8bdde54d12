import fs from 'node:fs';
import type { ConnectionOptions, TLSConfig } from '@temporalio/client';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * How a Homeward process reaches Temporal: read the Temporal SDK's way (@temporalio/envconfig),
 * from a TOML profile (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml; profile
 * TEMPORAL_PROFILE, else `default`) overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS and TEMPORAL_TLS_*. Certificate files are read once, at start.
 */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** false: plaintext. An object (even empty: the system's CAs) turns TLS on. */
  tls: TLSConfig | false;
  apiKey?: string;
  /** TEMPORAL_GRPC_META_* headers. */
  metadata?: Record<string, string>;
}

const fail = (problem: string): never => {
  throw new Error(`Invalid configuration: ${problem}`);
};

/** Each TLS file setting as an operator wrote it: its environment variable, or its key in the TOML profile. */
const tlsFiles = [
  { field: 'serverCACert', variable: 'TEMPORAL_TLS_SERVER_CA_CERT', key: 'server_ca_cert' },
  { field: 'clientCert', variable: 'TEMPORAL_TLS_CLIENT_CERT', key: 'client_cert' },
  { field: 'clientKey', variable: 'TEMPORAL_TLS_CLIENT_KEY', key: 'client_key' },
] as const;

/** This machine, as a URL's hostname or an address's host writes it. */
export const loopbackHosts = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** The host of `host:port`, `[v6]:port` or a bare host. */
export function hostOf(address: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(address);
  if (v6) return `[${v6[1]}]`;
  return address.split(':')[0];
}

/**
 * Loads and checks the connection settings. `defaults` are what applies when neither the
 * environment nor a profile names an address or namespace (npm start's local dev server).
 * In production, a non-loopback Temporal must be reached over TLS: its traffic carries every
 * pathway command, and a plaintext API key or history is readable by anyone on the path.
 */
export function loadTemporalConnection(
  env: NodeJS.ProcessEnv,
  options: { production: boolean; defaults: { address: string; namespace: string } },
): TemporalConnectionSettings {
  if (env.TEMPORAL_TLS !== undefined && !['true', 'false', '1', '0'].includes(env.TEMPORAL_TLS)) {
    // The SDK reads anything but `true`/`1` as false: `TEMPORAL_TLS=yes` would silently mean plaintext.
    fail(`TEMPORAL_TLS must be true or false (got "${env.TEMPORAL_TLS}")`);
  }
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION !== undefined) {
    fail(
      "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by the TypeScript SDK: name the certificate's host with TEMPORAL_TLS_SERVER_NAME instead",
    );
  }
  const profile = loadProfile(env);
  const tlsSettings = profile.tls ?? {};
  for (const { field, variable, key } of tlsFiles) {
    const source: ConfigDataSource | undefined = tlsSettings[field];
    if (source && 'path' in source)
      readable(
        source.path,
        env[`${variable}_PATH`] !== undefined ? `${variable}_PATH` : `the profile's tls.${key}_path`,
      );
  }
  if (Boolean(tlsSettings.clientCert) !== Boolean(tlsSettings.clientKey)) {
    fail(
      "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA forms, or the profile's client_cert/client_key) go together: mTLS needs both",
    );
  }
  const { connectionOptions, namespace } = toClientOptions(profile);
  const address = connectionOptions.address ?? options.defaults.address;
  // The SDK turns TLS on for an API key unless TLS is disabled explicitly.
  const tls = connectionOptions.tls === true ? {} : (connectionOptions.tls ?? false);
  if (options.production && tls === false && !loopbackHosts.has(hostOf(address))) {
    fail(
      `Temporal at ${address} without TLS in production (HOMEWARD_ENV=production): set TEMPORAL_TLS=true with ` +
        'TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA and TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH for mTLS, ' +
        `or TEMPORAL_API_KEY${env.TEMPORAL_TLS !== undefined ? `; TEMPORAL_TLS is ${env.TEMPORAL_TLS}` : ''}`,
    );
  }
  return {
    address,
    namespace: namespace ?? options.defaults.namespace,
    tls,
    ...(connectionOptions.apiKey === undefined ? {} : { apiKey: connectionOptions.apiKey as string }),
    ...(connectionOptions.metadata === undefined
      ? {}
      : { metadata: connectionOptions.metadata as Record<string, string> }),
  };
}

/** The profile the SDK reads: the config file's (if any), the TEMPORAL_* variables over it. */
function loadProfile(env: NodeJS.ProcessEnv): ClientConfigProfile {
  // The SDK skips a config file that is not there: one named explicitly must be.
  if (env.TEMPORAL_CONFIG_FILE !== undefined) readable(env.TEMPORAL_CONFIG_FILE, 'TEMPORAL_CONFIG_FILE');
  const variables = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  try {
    return loadClientConfigProfile({ overrideEnvVars: variables });
  } catch (error) {
    return fail(
      `Temporal client profile (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Whether the environment or a profile names a Temporal server: if not, `npm start` runs its own. */
export const temporalServerConfigured = (env: NodeJS.ProcessEnv = process.env): boolean =>
  loadProfile(env).address !== undefined;

function readable(file: string, setting: string): void {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    fail(`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const common = (settings: TemporalConnectionSettings) => ({
  address: settings.address,
  tls: settings.tls,
  ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
  ...(settings.metadata === undefined ? {} : { metadata: settings.metadata }),
});

/** For `Connection.connect` / `Connection.lazy` (@temporalio/client): the API, the bridges, tools. */
export const connectionOptions = (settings: TemporalConnectionSettings): ConnectionOptions => common(settings);

/** For `NativeConnection.connect` (@temporalio/worker): the pathway worker. */
export const nativeConnectionOptions = (settings: TemporalConnectionSettings): NativeConnectionOptions =>
  common(settings);

/** What a log line may say about the connection: no key, no certificate. */
export const describeConnection = (settings: TemporalConnectionSettings) =>
  `${settings.address} (namespace ${settings.namespace}, ${
    settings.tls === false ? 'plaintext' : settings.tls.clientCertPair ? 'mTLS' : 'TLS'
  }${settings.apiKey ? ', API key' : ''})`;
