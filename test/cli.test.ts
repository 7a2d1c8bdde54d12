import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { tailAgency } from '../cli/agency-tail';
import { topics } from '../kafka/topics';
import type { CloudEvent } from '../schemas/cloudevent';
import { daysBetween } from '../domain';
import { assessment, date, day, start } from './domain/spec';
import { admission } from './support/fixtures';
import { positionGroupAtEnd } from './support/kafka';
import { externalProducer } from './support/produce';
import { seededPathway } from './support/seed-events';
import { testSecrets } from './support/secrets';
import { eventually, startSystem } from './support/system';
import { runCommand } from './support/spawn';

const bin = path.join(__dirname, '..', 'bin', 'homeward');

const homeward = (args: string[], env: Record<string, string> = {}) => runCommand(bin, args, env);

describe('homeward CLI against the real API', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('starts and shows a pathway; bad input exits 2 naming the field; refusals exit 1', async () => {
    const env = { HOMEWARD_API_URL: system.api.url, HOMEWARD_TOKEN: await system.token('discharge-team') };
    const body = admission();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'admission.json');
    fs.writeFileSync(file, JSON.stringify(body));
    const started = await homeward(['start', '--file', file], env);
    expect(started).toMatchObject({ code: 0, stdout: `Started: pathway-${body.admissionId}\n` });

    const invalid = await homeward(['discharge-ready', `pathway-${body.admissionId}`, 'date=2026-02-30'], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('date: not a real calendar date');

    const refused = await homeward(
      ['discharge', `pathway-${body.admissionId}`, 'date=2026-01-01', 'destination=usual-residence'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not allowed in stage admitted/);

    const accepted = await homeward(
      ['discharge-ready', `pathway-${body.admissionId}`, `date=${new Date().toISOString().slice(0, 10)}`],
      env,
    );
    expect(accepted).toMatchObject({
      code: 0,
      stdout: `Recorded discharge-ready on pathway-${body.admissionId}: now assessment; events discharge_ready.recorded\n`,
    });

    const shown = await homeward(['show', `pathway-${body.admissionId}`], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('stage: assessment');
    expect(shown.stdout).toContain('no_plan (acute-trust) [derived]');
  });

  it('exits 2 on usage errors without calling anything', async () => {
    expect((await homeward([])).code).toBe(2);
    expect((await homeward(['teleport', 'x'])).code).toBe(2);
    const agency = await homeward(['agency', 'tail', '--agency', 'nowhere']);
    expect(agency.code).toBe(2);
    expect(agency.stderr).toContain('--agency must be one of');
    expect((await homeward(['show'])).code).toBe(2);
    expect((await homeward(['start', 'admissionId'])).code).toBe(2);
  });

  it("homeward token and login give development tokens from the data dir's issuer key, which the API accepts", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-data-'));
    const env = { HOMEWARD_API_URL: system.api.url, HOMEWARD_DATA_DIR: dataDir, HOMEWARD_OIDC_ISSUER: system.issuer };
    const noKey = await homeward(['token', '--role', 'manager'], env);
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringContaining('run `npm start` once first') });
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(testSecrets()));

    const printed = await homeward(['token', '--role', 'manager'], env);
    expect(printed.code).toBe(0);
    expect((await system.callWith(printed.stdout.trim(), 'GET', '/reports/delays')).status).toBe(200);
    expect((await homeward(['token', '--role', 'porter'], env)).code).toBe(2);
    expect((await homeward(['token', '--role', 'manager'], { ...env, HOMEWARD_ENV: 'production' })).code).toBe(2);

    const login = await homeward(['login', '--role', 'agency:housing'], env);
    expect(login).toMatchObject({ code: 0, stdout: expect.stringContaining('Signed in as agency:housing') });
    expect(fs.statSync(path.join(dataDir, 'cli-token')).mode & 0o077).toBe(0);
    const refused = await homeward(['report', 'delays'], env);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('Needs permission reports:read') });
    // Its own list, not refused: empty at a site where nothing was referred to it.
    expect(await homeward(['list', '--status', 'all', '--site', 'CLI-NOWHERE'], env)).toMatchObject({
      code: 0,
      stdout: 'No pathways match.\n',
    });
    const anonymous = await homeward(['list'], {
      ...env,
      HOMEWARD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-empty-')),
    });
    expect(anonymous).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('npx homeward login --role discharge-team'),
    });
  });

  it('homeward token --role patient --nhs-number gives the patient a token for their own plan at /me; a number is required, and valid', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-data-'));
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(testSecrets()));
    const env = { HOMEWARD_API_URL: system.api.url, HOMEWARD_DATA_DIR: dataDir, HOMEWARD_OIDC_ISSUER: system.issuer };
    const body = admission();
    await system.call('POST', '/pathways', body);

    const patient = await homeward(['token', '--role', 'patient', '--nhs-number', body.patient.nhsNumber], env);
    expect(patient.code).toBe(0);
    const plan = await system.callWith(patient.stdout.trim(), 'GET', '/me');
    expect(plan).toMatchObject({ status: 200, body: { viewer: 'patient', name: body.patient.name } });
    expect(await homeward(['token', '--role', 'patient'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--nhs-number is required'),
    });
    expect(await homeward(['token', '--role', 'carer', '--nhs-number', '1234567890'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('valid check digit'),
    });
    expect((await homeward(['token', '--role', 'manager', '--nhs-number', body.patient.nhsNumber], env)).code).toBe(2);
  });

  it('homeward projections rebuild recomputes the read model from its stored events, without Kafka or the API', async () => {
    const body = admission();
    const id = `pathway-${body.admissionId}`;
    await system.call('POST', '/pathways', body);
    await system.call('POST', `/pathways/${id}/discharge-ready`, {
      date: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
    });
    const row = async () =>
      (
        await system.projector.db.query(
          'SELECT stage, days_delayed, bed_days_lost, event_count FROM pathways WHERE pathway_id = $1',
          [id],
        )
      ).rows[0];
    const projected = await eventually(row, (r) => r?.event_count === 2);
    expect(projected).toEqual({ stage: 'assessment', days_delayed: 2, bed_days_lost: 2, event_count: 2 });
    await system.projector.db.query("UPDATE pathways SET stage = 'wrong', days_delayed = 99 WHERE pathway_id = $1", [
      id,
    ]);
    const rebuilt = await homeward(['projections', 'rebuild'], {
      DATABASE_URL: system.config.database.url!,
      KAFKA_BROKERS: '127.0.0.1:1',
      HOMEWARD_API_URL: 'http://127.0.0.1:1',
    });
    expect(rebuilt).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(/Rebuilt \d+ pathways from pathway_events/),
    });
    expect(await row()).toEqual(projected);
  });

  it("a manager's reads: report delays (and its CSV, the API's), report sitrep (today's by default), list with blanks without a DRD and why a stay is stuck", async () => {
    const site = `CLI-${randomUUID().slice(0, 6).toUpperCase()}`;
    const env = { HOMEWARD_API_URL: system.api.url, HOMEWARD_TOKEN: await system.token('manager') };
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    // Through the API: one stay with no DRD, one delayed three days. Published as the workflow did in
    // March 2026: one whose referral escalated (stuck, overdue) and one silent since its DRD (stuck, no event).
    const quiet = admission({ site });
    const waiting = admission({ site, admittedAt: new Date(Date.now() - 6 * 86_400_000).toISOString() });
    await system.call('POST', '/pathways', quiet);
    await system.call('POST', '/pathways', waiting);
    await system.call('POST', `/pathways/pathway-${waiting.admissionId}/discharge-ready`, { date: daysAgo(3) });
    const assess = assessment('P1', ['reablement'], day(3));
    const overdue = seededPathway((id) => [
      start({ admissionId: id, site }),
      { type: 'discharge-ready', at: day(2), date: date(2) },
      assess,
      { type: 'tick', at: day(6) },
    ]);
    const silent = seededPathway((id) => [
      start({ admissionId: id, site }),
      { type: 'discharge-ready', at: day(3), date: date(3) },
    ]);
    const producer = await externalProducer('homeward');
    await Promise.all([overdue.publish(producer), silent.publish(producer)]);
    await producer.close();
    await eventually(
      () => system.call('GET', `/pathways?site=${site}&status=all`),
      (r) => r.body.pathways?.length === 4 && r.body.pathways.every((p: { lastEventAt: string }) => p.lastEventAt),
      30_000,
    );

    const listed = await homeward(['list', '--site', site], env);
    expect(listed.code).toBe(0);
    const line = (id: string) => listed.stdout.split('\n').find((l) => l.startsWith(id))!;
    const header = listed.stdout.split('\n')[0];
    const delayedColumn = (l: string) => l.slice(header.indexOf('DELAYED'), header.indexOf('AWAITING')).trim();
    expect(delayedColumn(line(`pathway-${quiet.admissionId}`))).toBe('');
    expect(delayedColumn(line(`pathway-${waiting.admissionId}`))).toBe('3d (2-3)');
    const acceptBy = (overdue.events.find((e) => e.event.type === 'referral.requested')!.event as { acceptBy: string })
      .acceptBy;
    const stuck = await homeward(['list', '--stuck', '--site', site], env);
    expect(
      stuck.stdout
        .split('\n')
        .filter((l) => l.startsWith('pathway-'))
        .map((l) => l.replace(/^(\S+).*?((referral|review) overdue|no event)( since .*)$/, '$1 $2$4'))
        .sort(),
    ).toEqual(
      [
        `${overdue.id} referral overdue since ${acceptBy.slice(0, 16).replace('T', ' ')}`,
        `${silent.id} no event since ${day(3).slice(0, 16).replace('T', ' ')}`,
      ].sort(),
    );

    const report = await homeward(['report', 'delays', '--site', site], env);
    expect(report.code).toBe(0);
    // All three with a DRD are delayed now, each a day for every day since its DRD; the quiet one has none.
    const bedDays = 3 + daysBetween(date(2), daysAgo(0)) + daysBetween(date(3), daysAgo(0));
    expect(report.stdout.split('\n')[0]).toBe(
      `Delays as of ${daysAgo(0)}: 3 of 3 stays with a discharge ready date delayed now, ${bedDays} bed-days lost`,
    );
    expect(report.stdout).toMatch(
      /\nREASON +STAYS +DELAYED +BED-DAYS LOST +MEANING\nawaiting_p1_resource +1 +1 +\d+ +Awaiting care at home \(P1\)\n/,
    );
    const csv = await homeward(['report', 'delays', '--site', site, '--csv'], env);
    const api = await fetch(`${system.api.url}/reports/delays?site=${site}&format=csv`, {
      headers: { authorization: `Bearer ${env.HOMEWARD_TOKEN}` },
    });
    expect(csv).toMatchObject({ code: 0, stdout: await api.text() });

    const today = await homeward(['report', 'sitrep'], env);
    expect(today.code).toBe(0);
    expect(today.stdout.split('\n')[0]).toBe(
      `SitRep for ${daysAgo(0)}: patients in hospital with a discharge ready date that day, by site (--csv: the whole return)`,
    );
    // 4 March: the overdue one delayed two days, the silent one one day; a bed lost by each.
    const march = await homeward(['report', 'sitrep', '--date', '2026-03-04'], env);
    expect(
      march.stdout
        .split('\n')
        .find((l) => l.startsWith(site))!
        .trim()
        .split(/\s+/),
    ).toEqual([site, '2', '2', '2', '0', '1', '1', '0', '0', '0', '0']);
    const marchCsv = await homeward(['report', 'sitrep', '--date', '2026-03-04', '--csv'], env);
    expect(marchCsv.stdout).toBe(
      (await system.callWith(env.HOMEWARD_TOKEN, 'GET', '/reports/sitrep?date=2026-03-04')).body,
    );
    expect(await homeward(['report', 'sitrep', '--date', '2026-02-30'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('date: '),
    });
    expect(await homeward(['report', 'sitrep', '--site', site], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('takes only --date, not --site'),
    });
    expect(await homeward(['report', 'beds'], env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('homeward report sitrep'),
    });
  });

  it("--help for the managers' reads says what each figure means and shows an example", async () => {
    const help = async (args: string[]) => {
      const result = await homeward(args);
      expect({ args, code: result.code }).toEqual({ args, code: 0 });
      return result.stdout;
    };
    expect(await help(['list', '--help'])).toMatch(
      /^homeward list .*[\s\S]*blank\s+without a discharge ready date[\s\S]*--delayed-for-days N[\s\S]*Example:\n {2}homeward list/,
    );
    expect(await help(['report', 'delays', '--help'])).toMatch(
      /^homeward report delays [\s\S]*0, 1, 2-3, 4-6, 7-13, 14-20, 21\+, then none[\s\S]*--csv/,
    );
    expect(await help(['help', 'report', 'sitrep'])).toMatch(
      /^homeward report sitrep \[--date YYYY-MM-DD\][\s\S]*default today/,
    );
    const both = await help(['report', '--help']);
    expect(both).toContain('homeward report delays');
    expect(both).toContain('homeward report sitrep');
    expect(await help(['--help'])).toContain('homeward report sitrep [--date YYYY-MM-DD]');
  });

  it('exits 1 with a clear message when the API is not there', async () => {
    const down = await homeward(['show', 'pathway-x'], { HOMEWARD_API_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('Cannot reach the Homeward API');
  });
});

describe('homeward agency tail (reference consumer)', () => {
  const subject = `pathway-tail-${Date.now()}`;
  const event = (sequence: number): CloudEvent => ({
    specversion: '1.0',
    id: `${subject}/${sequence}`,
    source: 'urn:homeward:discharge-pathway',
    type: 'uk.nhs.discharge.referral.accepted.v1',
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    sequence,
    data: { referralId: 'ref-1', agency: 'voluntary' },
  });
  const voluntary = { mechanism: 'scram-sha-512' as const, ...testSecrets().kafka['agency-voluntary'] };
  // Starts at the topic's end as it was before this file wrote: a reused broker's older runs left messages (and junk) there.
  const group = `homeward.agency.voluntary.tail-test-${randomUUID()}`;
  beforeAll(async () => {
    await positionGroupAtEnd(inject('kafkaBrokers'), group, [topics.agencyEvents('voluntary')]);
    // Homeward's own principal is the one that writes agency topics.
    const producer = await externalProducer('homeward');
    for (const e of [event(1), event(1), event(2)]) await producer.send(topics.agencyEvents('voluntary'), subject, e);
    await producer.send(topics.agencyEvents('voluntary'), subject, 'not json');
    await producer.close();
  });

  it('prints each event once, dropping redelivered duplicates by CloudEvent id', async () => {
    const received: CloudEvent[] = [];
    const invalid: string[] = [];
    const controller = new AbortController();
    const done = tailAgency({
      kafka: { brokers: inject('kafkaBrokers').split(','), clientId: 'tail-test', sasl: voluntary, ssl: false },
      agency: 'voluntary',
      groupId: group,
      fromBeginning: false,
      signal: controller.signal,
      onEvent: (e) => received.push(e),
      onInvalid: (reason) => invalid.push(reason),
    });
    // This file's 'not json' comes last, after both events, on the same partition: only this file's messages are read.
    const deadline = Date.now() + 20_000;
    while (invalid.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const result = await done;
    expect(received.map((e) => e.id)).toEqual([`${subject}/1`, `${subject}/2`]);
    expect(result.duplicates).toBe(1);
    expect(invalid[0]).toMatch(/not JSON/);
  });

  /** `homeward agency tail --agency voluntary …` with only the given Kafka settings; SIGINT once stdout shows `until`. */
  async function tailCli(args: string[], env: Record<string, string>, until?: string) {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KAFKA_')));
    const child = spawn(bin, ['agency', 'tail', '--agency', 'voluntary', ...args], {
      env: { ...inherited, KAFKA_BROKERS: inject('kafkaBrokers'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (until) {
      const deadline = Date.now() + 30_000;
      while (!stdout.includes(until) && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGINT');
    }
    return { code: await exited, stdout, stderr };
  }
  const sasl = (user: { username: string; password: string }) => ({
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user.username,
    KAFKA_SASL_PASSWORD: user.password,
  });

  it("signs in as the agency's user from the data dir's secrets in local development", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-tail-'));
    fs.writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify(testSecrets()));
    const tailed = await tailCli(['--from-beginning'], { HOMEWARD_DATA_DIR: dataDir }, `${subject} #2`);
    expect(tailed.code, tailed.stderr).toBe(0);
    expect(tailed.stderr).toContain('as agency-voluntary');
    expect(tailed.stdout).toContain(`${subject} #1`);
  });

  it("exits 1 naming what the broker refused: another agency's topic, another agency's group, a wrong password, no credentials", async () => {
    const otherTopic = await tailCli([], sasl(testSecrets().kafka['agency-equipment']));
    expect(otherTopic).toMatchObject({ code: 1, stderr: expect.stringContaining("may not read voluntary's events") });
    const otherGroup = await tailCli(['--group', 'homeward.agency.equipment.mine'], sasl(voluntary));
    expect(otherGroup).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('groups start with homeward.agency.voluntary.'),
    });
    const wrongPassword = await tailCli([], sasl({ username: voluntary.username, password: `${voluntary.password}x` }));
    expect(wrongPassword).toMatchObject({ code: 1, stderr: expect.stringContaining('wrong user name or password') });
    const noSecrets = await tailCli([], { HOMEWARD_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-none-')) });
    expect(noSecrets).toMatchObject({ code: 1, stderr: expect.stringContaining('it needs credentials') });
  });
});
