import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireTool } from './process';

/**
 * A private CA and the certificates it signs, made with openssl at start (Node's crypto cannot
 * sign X.509) for the production profile's servers and clients. Never committed: they live in a
 * data dir of mode 0700, keys 0600, and go with it. Keys are unencrypted files, so no passphrase
 * ever reaches a command line.
 */
export interface CertificateAuthority {
  certFile: string;
  keyFile: string;
}

export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
}

/** serverAuth for a server, clientAuth for a client; both for a peer that is each (a broker). */
export type CertificateUse = 'server' | 'client' | 'peer';

const days = '30';
const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `openssl ${args[0]} failed (exit ${result.status}): ${(result.stderr || String(result.error)).trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** A new CA in `dir` (made mode 0700): `<name>.pem` and `<name>.key`. */
export function createCertificateAuthority(
  dir: string,
  name = 'ca',
  commonName = 'Homeward private CA',
): CertificateAuthority {
  requireTool(
    'openssl',
    ['version'],
    "openssl (needed to make the production profile's certificates); install the openssl package",
  );
  privateDir(dir);
  const ca = { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}.key`) };
  openssl([
    'req',
    '-x509',
    ...curve,
    '-keyout',
    ca.keyFile,
    '-out',
    ca.certFile,
    '-days',
    days,
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  fs.chmodSync(ca.keyFile, 0o600);
  return ca;
}

/**
 * A certificate signed by `ca` for `commonName`, in `dir` as `<name>.pem` / `<name>.key`.
 * `hosts`: the names and addresses a server answers on (subjectAltName).
 */
export function issueCertificate(
  ca: CertificateAuthority,
  options: { dir: string; name: string; commonName: string; use: CertificateUse; hosts?: string[] },
): IssuedCertificate {
  privateDir(options.dir);
  const issued = {
    certFile: path.join(options.dir, `${options.name}.pem`),
    keyFile: path.join(options.dir, `${options.name}.key`),
  };
  const request = path.join(options.dir, `${options.name}.csr`);
  const extensions = path.join(options.dir, `${options.name}.ext`);
  const usage = { server: 'serverAuth', client: 'clientAuth', peer: 'serverAuth,clientAuth' }[options.use];
  const san = (options.hosts ?? []).map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`));
  fs.writeFileSync(
    extensions,
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      `extendedKeyUsage=${usage}`,
      ...(san.length > 0 ? [`subjectAltName=${san.join(',')}`] : []),
      '',
    ].join('\n'),
  );
  try {
    openssl(['req', ...curve, '-keyout', issued.keyFile, '-out', request, '-subj', `/CN=${options.commonName}`]);
    fs.chmodSync(issued.keyFile, 0o600);
    openssl([
      'x509',
      '-req',
      '-in',
      request,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-days',
      days,
      '-out',
      issued.certFile,
      '-extfile',
      extensions,
    ]);
  } finally {
    fs.rmSync(request, { force: true });
    fs.rmSync(extensions, { force: true });
  }
  return issued;
}
