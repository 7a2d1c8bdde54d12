import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import {
  connectionOptions,
  describeConnection,
  hostOf,
  loadTemporalConnection,
  nativeConnectionOptions,
  temporalServerConfigured,
} from '../config/temporal-connection';

// Secrets have no default: every test names its own (these are not keys of anything real).
const secrets = {
  HOMEWARD_PATIENT_KEY_SECRET: 'x'.repeat(32),
  HOMEWARD_CODEC_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  HOMEWARD_COMMAND_KEYS: `c1:${Buffer.alloc(32, 9).toString('base64')}`,
};

// The connection settings read files only; what they hold is the server's business, so any bytes do.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-temporal-tls-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const target = path.join(dir, name);
  fs.writeFileSync(target, text, { mode: 0o600 });
  return target;
};
const ca = file('ca.pem', 'the private CA');
const cert = file('client.pem', 'the client certificate');
const key = file('client.key', 'the client key');
const bytes = (text: string) => Uint8Array.from(Buffer.from(text));

const development = { production: false, defaults: { address: '127.0.0.1:7233', namespace: 'default' } };
const production = { ...development, production: true };
const load = (env: NodeJS.ProcessEnv, options = development) => loadTemporalConnection(env, options);
const mtls = {
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
  TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
  TEMPORAL_TLS_CLIENT_KEY_PATH: key,
};

describe('Temporal connection settings (the Temporal SDK’s environment and profiles)', () => {
  it('defaults to npm start’s local dev server, in plaintext', () => {
    expect(load({})).toEqual({ address: '127.0.0.1:7233', namespace: 'default', tls: false });
    expect(loadConfig(secrets).temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      tls: false,
      taskQueue: 'homeward-pathways',
    });
  });

  it('takes address, namespace, the server CA, the client certificate and key from files, and the server name', () => {
    const settings = load({
      TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233',
      TEMPORAL_NAMESPACE: 'discharge',
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal',
      ...mtls,
    });
    expect(settings).toEqual({
      address: 'temporal.trust.nhs.uk:7233',
      namespace: 'discharge',
      tls: {
        serverNameOverride: 'frontend.temporal',
        serverRootCACertificate: bytes('the private CA'),
        clientCertPair: { crt: bytes('the client certificate'), key: bytes('the client key') },
      },
    });
    // The client's Connection and the worker's NativeConnection get the same settings.
    const expected = { address: 'temporal.trust.nhs.uk:7233', tls: settings.tls };
    expect(connectionOptions(settings)).toEqual(expected);
    expect(nativeConnectionOptions(settings)).toEqual(expected);
    expect(describeConnection(settings)).toBe('temporal.trust.nhs.uk:7233 (namespace discharge, mTLS)');
  });

  it('turns TLS on for an API key (Temporal Cloud), with the system’s CAs, and never logs the key', () => {
    const settings = load({
      TEMPORAL_ADDRESS: 'trust.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'trust.a1b2c',
      TEMPORAL_API_KEY: 'not-a-real-key',
    });
    expect(settings).toEqual({
      address: 'trust.a1b2c.tmprl.cloud:7233',
      namespace: 'trust.a1b2c',
      tls: {},
      apiKey: 'not-a-real-key',
    });
    expect(connectionOptions(settings)).toMatchObject({ apiKey: 'not-a-real-key', tls: {} });
    expect(describeConnection(settings)).toBe('trust.a1b2c.tmprl.cloud:7233 (namespace trust.a1b2c, TLS, API key)');
    expect(describeConnection(settings)).not.toContain('not-a-real-key');
    expect(load({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it('reads a TOML profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), the environment overriding it', () => {
    const config = file(
      'temporal.toml',
      [
        '[profile.default]',
        'address = "default.example:7233"',
        '[profile.trust]',
        'address = "temporal.trust.nhs.uk:7233"',
        'namespace = "discharge"',
        '[profile.trust.tls]',
        `server_ca_cert_path = "${ca}"`,
        `client_cert_path = "${cert}"`,
        `client_key_path = "${key}"`,
        'server_name = "frontend.temporal"',
        '[profile.trust.grpc_meta]',
        'x-trust = "rhq"',
        '',
      ].join('\n'),
    );
    expect(load({ TEMPORAL_CONFIG_FILE: config }).address).toBe('default.example:7233');
    const trust = load({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'trust' });
    expect(trust).toMatchObject({
      address: 'temporal.trust.nhs.uk:7233',
      namespace: 'discharge',
      metadata: { 'x-trust': 'rhq' },
    });
    expect(trust.tls).toMatchObject({
      serverNameOverride: 'frontend.temporal',
      clientCertPair: { crt: bytes('the client certificate') },
    });
    expect(
      load({
        TEMPORAL_CONFIG_FILE: config,
        TEMPORAL_PROFILE: 'trust',
        TEMPORAL_ADDRESS: 'other:7233',
        TEMPORAL_TLS_SERVER_NAME: 'other',
      }),
    ).toMatchObject({
      address: 'other:7233',
      namespace: 'discharge',
      tls: { serverNameOverride: 'other', serverRootCACertificate: bytes('the private CA') },
    });
    // npm start runs its own dev server only when neither names a server.
    expect([
      temporalServerConfigured({}),
      temporalServerConfigured({ TEMPORAL_CONFIG_FILE: config }),
      temporalServerConfigured({ TEMPORAL_ADDRESS: 'temporal:7233' }),
    ]).toEqual([false, true, true]);
    expect(
      temporalServerConfigured({
        TEMPORAL_CONFIG_FILE: file('no-address.toml', '[profile.default]\nnamespace = "discharge"\n'),
      }),
    ).toBe(false);
    expect(() => load({ TEMPORAL_CONFIG_FILE: config, TEMPORAL_PROFILE: 'nobody' })).toThrow(
      "Invalid configuration: Temporal client profile (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE): Profile 'nobody' not found in config data",
    );
    expect(() => load({ TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') })).toThrow(
      /Invalid configuration: TEMPORAL_CONFIG_FILE: cannot read .*missing\.toml \(ENOENT\)/,
    );
    const broken = file('broken.toml', '[profile.default\naddress = 1\n');
    expect(() => load({ TEMPORAL_CONFIG_FILE: broken })).toThrow(/Invalid configuration: Temporal client profile/);
  });

  it('refuses in production a Temporal beyond this machine without TLS, naming the variables', () => {
    const refused =
      /^Invalid configuration: Temporal at temporal\.trust\.nhs\.uk:7233 without TLS in production \(HOMEWARD_ENV=production\): set TEMPORAL_TLS=true with TEMPORAL_TLS_SERVER_CA_CERT_PATH .* TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH for mTLS, or TEMPORAL_API_KEY/;
    expect(() => load({ TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233' }, production)).toThrow(refused);
    expect(() =>
      load({ ...mtls, TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233', TEMPORAL_TLS: 'false' }, production),
    ).toThrow(/TEMPORAL_TLS is false$/);
    expect(() =>
      load({ TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: '0' }, production),
    ).toThrow(refused);
    expect(() => load({ TEMPORAL_ADDRESS: '10.0.0.5:7233' }, production)).toThrow(
      /Temporal at 10\.0\.0\.5:7233 without TLS in production/,
    );
    expect(() => loadConfig({ ...secrets, HOMEWARD_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233' })).toThrow(
      /^Invalid configuration: Temporal at temporal:7233 without TLS in production/,
    );
    // Over TLS it starts; so does a Temporal on this machine (a sidecar), and development anywhere.
    expect(load({ ...mtls, TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233' }, production).tls).not.toBe(false);
    expect(load({ TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233', TEMPORAL_API_KEY: 'k' }, production).tls).toEqual({});
    for (const local of ['127.0.0.1:7233', 'localhost:7233', '[::1]:7233'])
      expect(load({ TEMPORAL_ADDRESS: local }, production).tls).toBe(false);
    expect(load({ TEMPORAL_ADDRESS: 'temporal.trust.nhs.uk:7233' }).tls).toBe(false);
  });

  it('names the setting at fault', () => {
    expect(() => load({ TEMPORAL_TLS_CLIENT_CERT_PATH: cert })).toThrow(
      'Invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
    );
    expect(() => load({ TEMPORAL_TLS_CLIENT_KEY_PATH: key })).toThrow(/mTLS needs both/);
    expect(() => load({ ...mtls, TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'nope.key') })).toThrow(
      /^Invalid configuration: TEMPORAL_TLS_CLIENT_KEY_PATH: cannot read .*nope\.key \(ENOENT\)$/,
    );
    expect(() => load({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'nope.pem') })).toThrow(
      /^Invalid configuration: TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read/,
    );
    const profile = file(
      'missing-ca.toml',
      `[profile.default.tls]\nserver_ca_cert_path = "${path.join(dir, 'gone.pem')}"\n`,
    );
    expect(() => load({ TEMPORAL_CONFIG_FILE: profile })).toThrow(
      /^Invalid configuration: the profile's tls\.server_ca_cert_path: cannot read/,
    );
    // The SDK would read `yes` as false, that is plaintext.
    expect(() => load({ TEMPORAL_TLS: 'yes' })).toThrow(
      'Invalid configuration: TEMPORAL_TLS must be true or false (got "yes")',
    );
    expect(() => load({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toThrow(
      /TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported .* TEMPORAL_TLS_SERVER_NAME/,
    );
  });

  it('finds the host of an address', () => {
    expect(['temporal:7233', '10.1.2.3:7233', '[::1]:7233', '[fd00::1]:7233', 'localhost'].map(hostOf)).toEqual([
      'temporal',
      '10.1.2.3',
      '[::1]',
      '[fd00::1]',
      'localhost',
    ]);
  });
});
