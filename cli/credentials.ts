import fs from 'node:fs';
import path from 'node:path';
import { devIssuerUrl, signDevToken } from '../config/dev-issuer';
import { readDevSecrets } from '../config/dev-secrets';
import { dataDir, local } from '../runtime/local';
import { UsageError } from './args';

/** Where `homeward login` keeps its token: the local system's data dir, readable by this user only. */
export const tokenFile = () => path.join(dataDir, 'cli-token');

/** The token for API calls: HOMEWARD_TOKEN, else the one `homeward login` stored. */
export function currentToken(): string | undefined {
  if (process.env.HOMEWARD_TOKEN) return process.env.HOMEWARD_TOKEN.trim();
  try {
    return fs.readFileSync(tokenFile(), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const roleHelp = 'discharge-team, manager or agency:<agency>';

/** A development token from the local issuer's key in the data dir; never in production. */
export async function developmentToken(options: { role?: string; sites: string[]; subject?: string }): Promise<string> {
  if (process.env.HOMEWARD_ENV === 'production') {
    throw new UsageError('Development tokens do not exist in production: get a token from the trust\'s identity provider and set HOMEWARD_TOKEN');
  }
  if (!options.role) throw new UsageError(`--role is required: ${roleHelp}`);
  if (!/^(discharge-team|manager|agency:[a-z-]+)$/.test(options.role)) throw new UsageError(`--role must be ${roleHelp}`);
  const secrets = readDevSecrets(dataDir);
  if (!secrets) throw new Error(`No development issuer key in ${dataDir}: run \`npm start\` once first`);
  return signDevToken(secrets, {
    issuer: process.env.HOMEWARD_OIDC_ISSUER ?? devIssuerUrl(local.devIssuerPort),
    audience: process.env.HOMEWARD_OIDC_AUDIENCE ?? 'homeward',
    role: options.role,
    sites: options.sites,
    subject: options.subject,
  });
}

export function storeToken(token: string): string {
  const file = tokenFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}
