import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Debian's Chromium: the real browser the dashboard is tested in (driven by playwright-core, which downloads none). */
export const chromiumPath = process.env.HOMEWARD_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Installs the Debian package `chromium` when it is missing, as the test setup installs the
 * servers. Needs apt-get and root (or sudo-less root, as on CI); says what to do otherwise.
 */
export function ensureChromium(say: (line: string) => void = (line) => console.error(line)): string {
  if (fs.existsSync(chromiumPath)) return chromiumPath;
  const root = process.getuid?.() === 0;
  const aptGet = spawnSync('which', ['apt-get']).status === 0;
  if (!root || !aptGet) {
    throw new Error(
      `Missing tool: Chromium for the dashboard's browser test; install the Debian package chromium (apt-get install chromium) or set HOMEWARD_CHROMIUM to a Chromium binary`,
    );
  }
  say('Installing the Debian package chromium for the dashboard browser test (once)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${run.status})`);
  }
  if (!fs.existsSync(chromiumPath)) throw new Error(`apt-get installed chromium but ${chromiumPath} is not there`);
  return chromiumPath;
}
