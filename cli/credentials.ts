import fs from 'node:fs';
import path from 'node:path';
import { devIssuerUrl, signDevToken } from '../config/dev-issuer';
import { readDevSecrets } from '../config/dev-secrets';
import { NhsNumber } from '../schemas/common';
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

const roleHelp = 'discharge-team, manager, agency:<agency>, patient or carer';

/**
 * A development token from the local issuer's key in the data dir; never in production. A patient
 * or carer is known by their own NHS number, the claim NHS login would assert.
 */
export async function developmentToken(options: {
  role?: string;
  sites: string[];
  subject?: string;
  nhsNumber?: string;
}): Promise<string> {
  if (process.env.HOMEWARD_ENV === 'production') {
    throw new UsageError(
      "Development tokens do not exist in production: get a token from the trust's identity provider and set HOMEWARD_TOKEN",
    );
  }
  if (!options.role) throw new UsageError(`--role is required: ${roleHelp}`);
  if (!/^(discharge-team|manager|agency:[a-z-]+|patient|carer)$/.test(options.role))
    throw new UsageError(`--role must be ${roleHelp}`);
  const person = options.role === 'patient' || options.role === 'carer';
  if (person && options.nhsNumber === undefined)
    throw new UsageError(`--nhs-number is required for --role ${options.role}: their own NHS number (10 digits)`);
  if (!person && options.nhsNumber !== undefined)
    throw new UsageError('--nhs-number is only for --role patient or carer');
  const nhsNumber = options.nhsNumber === undefined ? undefined : NhsNumber.safeParse(options.nhsNumber);
  if (nhsNumber && !nhsNumber.success)
    throw new UsageError('--nhs-number must be an NHS number: 10 digits with a valid check digit, like 9434765919');
  const secrets = readDevSecrets(dataDir);
  if (!secrets) throw new Error(`No development issuer key in ${dataDir}: run \`npm start\` once first`);
  return signDevToken(secrets, {
    issuer: process.env.HOMEWARD_OIDC_ISSUER ?? devIssuerUrl(local.devIssuerPort),
    audience: process.env.HOMEWARD_OIDC_AUDIENCE ?? 'homeward',
    role: options.role,
    sites: options.sites,
    subject: options.subject,
    nhsNumber: nhsNumber?.data,
  });
}

export function storeToken(token: string): string {
  const file = tokenFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}
