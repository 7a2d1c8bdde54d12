import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSecrets } from './support/secrets';
import { startSystem } from './support/system';
import { runCommand } from './support/spawn';

// README's quick start, command by command as written there, against the real system.
const root = path.join(__dirname, '..');
let system: Awaited<ReturnType<typeof startSystem>>;
beforeAll(async () => {
  system = await startSystem();
});
afterAll(async () => {
  await system?.stop();
});

function quickStartCommands(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## What gets installed where'));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((b) => b.includes('homeward start'));
  return (block ?? '').split('\n').filter((line) => line.startsWith('npx homeward '));
}

function run(command: string, env: Record<string, string>) {
  // `npx homeward` is the repository's bin/homeward; the shell splits the words as it would for a person.
  return runCommand(
    'sh',
    ['-c', command.replace(/^npx homeward /, `${path.join(root, 'bin', 'homeward')} `)],
    env,
    root,
  );
}

describe("README's quick start", () => {
  it('walks the example patient from admission to discharge with the commands as written', async () => {
    const commands = quickStartCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quick-start-'));
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(testSecrets()));
    const env = { HOMEWARD_DATA_DIR: dataDir, HOMEWARD_API_URL: system.api.url, HOMEWARD_OIDC_ISSUER: system.issuer };
    const outputs: Record<string, string> = {};
    for (const command of commands) {
      const result = await run(command, env);
      expect({ command, code: result.code, stderr: result.stderr }).toEqual({ command, code: 0, stderr: '' });
      outputs[command] = result.stdout;
    }
    const output = (start: string) => Object.entries(outputs).find(([command]) => command.startsWith(start))?.[1] ?? '';
    expect(output('npx homeward assessment')).toMatch(
      /referral ref-1: reablement → intermediate-care, accept by .*\n.*referral ref-2: equipment → equipment/,
    );
    expect(output('npx homeward show')).toMatch(/stage: intermediate_care/);
    expect(output('npx homeward show')).toMatch(/discharged 2026-11-24 to usual-residence/);
    expect(output('npx homeward list')).toMatch(/^PATHWAY\s+STAGE/);
    expect(output('npx homeward list')).toContain('pathway-A1001');
    expect(output('npx homeward report delays')).toMatch(
      /^Delays as of \d{4}-\d{2}-\d{2}: \d+ of \d+ stays with a discharge ready date delayed now/,
    );
    expect(output('npx homeward report sitrep')).toMatch(/^SitRep for \d{4}-\d{2}-\d{2}: /);
  });
});
