import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectionOptions,
  nativeConnectionOptions,
  type TemporalConnectionSettings,
} from '../../config/temporal-connection';
import { createCertificateAuthority, issueCertificate } from '../../tools/infra/certificates';
import { temporalConnection, temporalEnvironment } from '../support/temporal';

// The Temporal frontend of the production profile requires a client certificate from its CA:
// a client without one, in plaintext, or with another CA's certificate is refused at the TLS
// handshake, before any Temporal call.
const settings = temporalConnection();
const environment = temporalEnvironment();
const [host, port] = settings.address.split(':');
const file = (variable: string) => fs.readFileSync(environment[variable]);
const serverCa = file('TEMPORAL_TLS_SERVER_CA_CERT_PATH');

// Another private CA, and a client certificate it signed: well-formed, but not the profile's.
const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-other-ca-'));
afterAll(() => fs.rmSync(elsewhere, { recursive: true, force: true }));
const otherCa = createCertificateAuthority(elsewhere, 'other-ca', 'Some other CA');
const otherClient = issueCertificate(otherCa, {
  dir: elsewhere,
  name: 'intruder',
  commonName: 'homeward',
  use: 'client',
});
const otherPair = { crt: fs.readFileSync(otherClient.certFile), key: fs.readFileSync(otherClient.keyFile) };

const variant = (tlsConfig: TemporalConnectionSettings['tls']): TemporalConnectionSettings => ({
  ...settings,
  tls: tlsConfig,
});
const withoutClientCertificate = variant({ serverRootCACertificate: serverCa, serverNameOverride: 'localhost' });
const withOtherCasClientCertificate = variant({
  serverRootCACertificate: serverCa,
  serverNameOverride: 'localhost',
  clientCertPair: otherPair,
});
const trustingOtherCa = variant({
  ...(settings.tls as object),
  serverRootCACertificate: fs.readFileSync(otherCa.certFile),
});

/** The TLS handshake alone, as Node's TLS client sees it: the server's verdict on our certificate, or ours on its. */
function handshake(options: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(port),
      servername: 'localhost',
      ALPNProtocols: ['h2'],
      ...options,
    });
    // TLS 1.3: the server judges the client's certificate after the client's Finished, so its alert arrives on the first read.
    socket.once('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
    socket.once('data', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(error.code ?? error.message);
    });
  });
}

// grpc-js retries a failed handshake until its deadline: refused, not hung. The worker's Rust
// connection reports the transport's error at once.
const clientRefusal = /^refused: Failed to connect before the deadline/;
const workerRefusal = /^refused: Failed to call GetSystemInfo: .*(operation was canceled|transport error)/;
const clientRefused = (settingsToTry: TemporalConnectionSettings) =>
  Connection.connect({ ...connectionOptions(settingsToTry), connectTimeout: 3_000 }).then(
    async (connection) => {
      await connection.close();
      return 'connected';
    },
    (error: Error) => `refused: ${error.message}`,
  );
const workerRefused = (settingsToTry: TemporalConnectionSettings) =>
  NativeConnection.connect(nativeConnectionOptions(settingsToTry)).then(
    async (connection) => {
      await connection.close();
      return 'connected';
    },
    (error: Error) => `refused: ${error.message}`,
  );

describe('production profile: mTLS on the Temporal frontend', () => {
  it('lets Homeward in with its client certificate (client and worker connections alike)', async () => {
    const connection = await Connection.connect(connectionOptions(settings));
    try {
      expect((await connection.workflowService.getSystemInfo({})).serverVersion).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      await connection.close();
    }
    expect(await workerRefused(settings)).toBe('connected');
    expect(
      await handshake({
        ca: serverCa,
        cert: file('TEMPORAL_TLS_CLIENT_CERT_PATH'),
        key: file('TEMPORAL_TLS_CLIENT_KEY_PATH'),
      }),
    ).toBe('accepted');
  });

  it('refuses a client without a client certificate at the handshake', async () => {
    expect(await handshake({ ca: serverCa })).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    expect(await clientRefused(withoutClientCertificate)).toMatch(clientRefusal);
    expect(await workerRefused(withoutClientCertificate)).toMatch(workerRefusal);
  });

  it('refuses a plaintext client', async () => {
    expect(await clientRefused(variant(false))).toMatch(clientRefusal);
    expect(await workerRefused(variant(false))).toMatch(workerRefusal);
  });

  it('refuses a client certificate from another CA, and a client that trusts another CA does not trust the server', async () => {
    expect(await handshake({ ca: serverCa, cert: otherPair.crt, key: otherPair.key })).toMatch(
      /ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE/,
    );
    expect(await clientRefused(withOtherCasClientCertificate)).toMatch(clientRefusal);
    expect(await workerRefused(withOtherCasClientCertificate)).toMatch(workerRefusal);
    expect(
      await handshake({
        ca: fs.readFileSync(otherCa.certFile),
        cert: file('TEMPORAL_TLS_CLIENT_CERT_PATH'),
        key: file('TEMPORAL_TLS_CLIENT_KEY_PATH'),
      }),
    ).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    expect(await clientRefused(trustingOtherCa)).toMatch(clientRefusal);
    expect(await workerRefused(trustingOtherCa)).toMatch(/^refused: .*InvalidCertificate\(UnknownIssuer\)/);
  });
});
