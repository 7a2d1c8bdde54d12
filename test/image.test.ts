import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compiled,
  imageCommand,
  worker,
  type CompiledRun,
  type ImageEntry,
  type Role,
} from '../runtime/node-runtime.cjs';
import { ensureNode24, ensureProductionDependencies } from '../tools/infra/ship-tools';
import { createTestDatabase } from './support/database';
import { admission } from './support/fixtures';
import { apiOf, roleHarness, systemEnvironment } from './support/roles';
import { runCommand } from './support/spawn';
import { eventually } from './support/system';

// No Docker engine runs here: the Dockerfile is read and checked against runtime/node-runtime.cjs,
// and the image's contents (npm run build's dist/ on the production dependencies alone) are
// assembled and run under Node 20 (this machine's) and Node 24 (the image's, from the npm registry).
const root = path.resolve(__dirname, '..');
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const stages = dockerfile
  .split(/^FROM /m)
  .slice(1)
  .map((stage) => `FROM ${stage}`);
const runtime = stages.at(-1)!;
const instructions = (text: string, name: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `))
    .map((line) => line.slice(name.length + 1));
const say = (line: string) => process.stderr.write(`${line}\n`);

describe('the Dockerfile', () => {
  it('builds every stage on the current Node LTS, 24 on Debian bookworm slim', () => {
    const bases = stages.map((stage) => instructions(stage, 'FROM')[0].split(' ')[0]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toBe('node:24-bookworm-slim');
  });

  it('runs as a numeric non-root user, owning nothing it runs (a read-only root filesystem is enough)', () => {
    const [user] = instructions(runtime, 'USER');
    expect(user).toMatch(/^[1-9]\d{3,}:[1-9]\d{3,}$/);
    // Nothing after USER changes the filesystem; nothing is chowned to the user.
    expect(runtime.slice(runtime.indexOf('USER ')).match(/^(RUN|COPY|ADD) /m)).toBeNull();
    expect(runtime).not.toMatch(/--chown|chown /);
  });

  it('carries the production dependencies only, and the compiled build: no TypeScript, no tsx at run time', () => {
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(instructions(runtime, 'COPY')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--from=dependencies \/app\/node_modules /),
        expect.stringMatching(/^--from=build \/src\/dist /),
      ]),
    );
    expect(runtime).not.toMatch(/tsx|\.ts\b/);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const devOnly of ['tsx', 'typescript', 'vitest'])
      expect(pkg.dependencies, devOnly).not.toHaveProperty(devOnly);
    expect(instructions(stages[0], 'RUN')).toContain('node --require tsx/cjs tools/build.ts');
  });

  it('runs the worker by default with its memory settings, and names every entry point runtime/node-runtime.cjs has', () => {
    expect(JSON.parse(instructions(runtime, 'CMD').at(-1)!)).toEqual(imageCommand('worker'));
    const env = Object.fromEntries(
      instructions(runtime, 'ENV').flatMap((line) =>
        line.split(/\s+/).map((pair) => pair.split('=') as [string, string]),
      ),
    );
    expect(env).toMatchObject({ ...worker.env, NODE_ENV: 'production', HTTP_HOST: '0.0.0.0' });
    for (const entry of Object.keys(compiled) as ImageEntry[]) {
      expect(dockerfile, entry).toMatch(
        new RegExp(
          `^#\\s+${entry}\\s+${imageCommand(entry)
            .join(' ')
            .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
          'm',
        ),
      );
    }
  });

  it('has a health check asking the role’s readiness probe on HOMEWARD_HEALTH_PORT', () => {
    const [healthcheck] = instructions(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", .*\/health\/ready/);
    expect(healthcheck).toContain('process.env.HOMEWARD_HEALTH_PORT');
  });
});

/** What the image holds: dist/ from `npm run build` beside the production dependencies only. */
async function assembleImageTree(): Promise<string> {
  const started = Date.now();
  say('Building dist/ (npm run build: tsc and the workflow bundle)…');
  execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'tools', 'build.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'homeward-image-'));
  fs.cpSync(path.join(root, 'dist'), path.join(tree, 'dist'), { recursive: true });
  fs.symlinkSync(await ensureProductionDependencies(), path.join(tree, 'node_modules'));
  say(`  image tree in ${tree} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return tree;
}

describe('the compiled entry points, on the production dependencies alone', () => {
  const harness = roleHarness();
  let tree: string;
  beforeAll(async () => {
    tree = await assembleImageTree();
    harness.cleanup(async () => fs.rmSync(tree, { recursive: true, force: true }));
  }, 240_000);

  /** migrate, then every role from its compiled entry point under `node`; a pathway through all of them. */
  async function runsUnder(node: string) {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    const databaseUrl = await createTestDatabase({ migrated: false });
    const [, ...migrateArgs] = imageCommand('migrate');
    const migrated = await runCommand(node, migrateArgs, { DATABASE_URL: databaseUrl }, tree);
    const migrations = fs
      .readdirSync(path.join(__dirname, '..', 'readmodel', 'migrations'))
      .filter((file) => file.endsWith('.sql')).length;
    expect(migrated, migrated.stderr).toMatchObject({
      code: 0,
      stderr: expect.stringContaining(`Applied ${migrations} migrations`),
    });

    const { env, token } = await systemEnvironment(harness, `image-node${version.split('.')[0]}`, {
      DATABASE_URL: databaseUrl,
    });
    // The compiled worker's own bundle (dist/workflow-bundle.js), not the suite's.
    delete env.HOMEWARD_WORKFLOW_BUNDLE;
    env.HOMEWARD_PROJECTOR_GROUP = `homeward-projector-${env.TEMPORAL_TASK_QUEUE}`;
    const run: CompiledRun = { root: tree, node };
    const roles: Role[] = ['worker', 'projector', 'bridges', 'api'];
    const started = await harness.processes.start(roles.map((role) => ({ role, env, compiled: run })));
    for (const role of started) expect(fs.readlinkSync(`/proc/${role.pid}/exe`)).toBe(fs.realpathSync(node));
    const api = apiOf(started[3], token);
    const body = admission({ site: 'IMAGE' });
    expect((await api('POST', '/pathways', body)).status).toBe(201);
    // The worker ran the workflow from its compiled bundle, the projector folded it into the read model.
    const listed = await eventually(
      async () => (await api('GET', '/pathways?site=IMAGE&status=all')).body.pathways as { pathwayId: string }[],
      (items) => items.some((item) => item.pathwayId === `pathway-${body.admissionId}`),
    );
    expect(listed.map((item) => item.pathwayId)).toContain(`pathway-${body.admissionId}`);
    say(`  ${version}: migrate, worker, projector, bridges and API ran from dist/, a pathway through all of them`);
    await Promise.all(started.map((role) => role.stop()));
  }

  it('run under this machine’s Node 20', async () => {
    await runsUnder(process.execPath);
  }, 120_000);

  it('run under Node 24, the image’s (the npm registry’s binary package, cached)', async () => {
    await runsUnder(await ensureNode24());
  }, 240_000);
});
