import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayBands } from '../domain';
import type { PathwayCommand } from '../schemas/commands';
import { assessment, date, day, start } from './domain/spec';
import { admission } from './support/fixtures';
import { externalProducer } from './support/produce';
import { seededPathway } from './support/seed-events';
import { eventually, startSystem } from './support/system';

// The managers' reads on the real API, Temporal, broker and PostgreSQL: stays made through the API,
// and older ones (weeks old, closed, escalated by timers) published as the workflow publishes them.
let system: Awaited<ReturnType<typeof startSystem>>;
const site = `RM-${randomUUID().slice(0, 6)}`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const assess = (pathway: string, needs: string[], at: string) => assessment(pathway, needs, at);

// March 2026: A is delayed on P1 and its referral escalated (stuck); B was discharged on the 5th
// and readmitted (closed); D, in Scotland, has a DRD and nothing since (stuck by silence); C was
// cancelled on the 4th (closed) and never had a workflow on this Temporal.
const seeded = {
  A: seededPathway((id) => [
    start({ admissionId: id, site }),
    { type: 'discharge-ready', at: day(2), date: date(2) },
    assess('P1', ['reablement'], day(3)),
    { type: 'tick', at: day(6) },
  ]),
  B: seededPathway(
    (id) =>
      [
        start({ admissionId: id, site }),
        { type: 'discharge-ready', at: day(2), date: date(2) },
        assess('P0', [], day(3)),
        { type: 'discharge', at: day(5), date: date(5), destination: 'usual-residence' },
        { type: 'readmission', at: day(10), newAdmissionId: `${id}R`, admittedOn: date(10), emergency: true },
      ] as PathwayCommand[],
  ),
  D: seededPathway(
    (id) => [
      start({ admissionId: id, site, region: 'scotland' }),
      { type: 'discharge-ready', at: day(3), date: date(3) },
    ],
    { region: 'scotland' },
  ),
  C: seededPathway(
    (id) =>
      [
        start({ admissionId: id, site }),
        { type: 'discharge-ready', at: day(2), date: date(2) },
        assess('P1', ['reablement'], day(3)),
        { type: 'cancel', at: day(4), reason: 'transferred' },
      ] as PathwayCommand[],
  ),
};

/** Through the API: the bug's pathway (an earlier episode ended by criteria-to-reside-met, a new DRD today) and one in Scotland. */
const live = {
  episodes: admission({ site, admittedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() }),
  scotland: admission({ site, region: 'scotland', admittedAt: new Date(Date.now() - 10 * 86_400_000).toISOString() }),
};
const liveId = (body: { admissionId: string }) => `pathway-${body.admissionId}`;

const list = (query: string) => system.call('GET', `/pathways?site=${site}&${query}`);
const ids = (response: { body: Record<string, unknown> }) =>
  (response.body.pathways as { pathwayId: string }[]).map((p) => p.pathwayId);

beforeAll(async () => {
  system = await startSystem();
  // As Homeward itself: the worker's publisher is the only writer of this topic.
  const producer = await externalProducer('homeward');
  await Promise.all(Object.values(seeded).map((p) => p.publish(producer)));
  await producer.close();
  await system.call('POST', '/pathways', live.episodes);
  await system.call('POST', `/pathways/${liveId(live.episodes)}/discharge-ready`, { date: daysAgo(6) });
  await system.call('POST', `/pathways/${liveId(live.episodes)}/criteria-to-reside-met`, {});
  await system.call('POST', `/pathways/${liveId(live.episodes)}/discharge-ready`, { date: daysAgo(0) });
  await system.call('POST', '/pathways', live.scotland);
  await system.call('POST', `/pathways/${liveId(live.scotland)}/discharge-ready`, { date: daysAgo(5) });
  // Everything projected: six stays of this site, the live ones up to their last event.
  await eventually(
    () => list('status=all&limit=100'),
    (r) => r.body.pathways?.length === 6 && r.body.freshness?.lagEvents === 0,
    30_000,
  );
});
afterAll(async () => {
  await system?.stop();
});

describe('the managers’ list and report agree with each pathway’s own view', () => {
  it('delay, bed-days lost across episodes, band and reasons are the domain’s (Scotland’s allowance too)', async () => {
    for (const body of Object.values(live)) {
      const view = (await system.call('GET', `/pathways/${liveId(body)}`)).body;
      const [row] = (await list(`status=all`)).body.pathways.filter(
        (p: { pathwayId: string }) => p.pathwayId === liveId(body),
      );
      expect(row).toMatchObject({
        stage: view.stage,
        daysDelayed: view.delay.daysDelayed,
        bedDaysLost: view.delay.bedDaysLost,
        delayBand: view.delay.band,
        delayReasons: [...new Set(view.delay.reasons.map((r: { code: string }) => r.code))].sort(),
      });
    }
    const episodes = (await list('status=all')).body.pathways.find(
      (p: { pathwayId: string }) => p.pathwayId === liveId(live.episodes),
    );
    expect(episodes).toMatchObject({ daysDelayed: 0, bedDaysLost: 6, dischargeReadyDate: daysAgo(0) });
    const scotland = (await list('status=all')).body.pathways.find(
      (p: { pathwayId: string }) => p.pathwayId === liveId(live.scotland),
    );
    expect(scotland).toMatchObject({ daysDelayed: 2, delayCountsFrom: daysAgo(2) });
    const report = await system.call('GET', `/reports/delays?site=${site}&status=all`);
    const rows = (await list('status=all')).body.pathways as {
      pathwayId: string;
      bedDaysLost: number;
      delayedNow: boolean;
    }[];
    // B (discharged) and C (cancelled) were delayed when they left: history, not delayed now.
    expect(
      rows
        .filter((r) => r.delayedNow)
        .map((r) => r.pathwayId)
        .sort(),
    ).toEqual([seeded.A.id, seeded.D.id, liveId(live.scotland)].sort());
    expect(report.body.totals).toEqual({
      pathways: 6,
      delayed: 3,
      bedDaysLost: rows.reduce((t, r) => t + r.bedDaysLost, 0),
    });
    // Band 0 is a DRD with no day delayed yet (today's, after an earlier episode's 6 bed-days lost).
    expect(report.body.byBand['0']).toEqual({ pathways: 1, delayed: 0, bedDaysLost: 6 });
  });

  it('every dimension of the report tallies the list’s own rows', async () => {
    type Row = {
      dischargeReadyDate: string | null;
      bedDaysLost: number;
      delayedNow: boolean;
      delayBand: string | null;
      site: string;
      localAuthority: string | null;
      pathway: string | null;
      delayReasons: string[];
      reasons: { agency?: string }[];
    };
    const rows = ((await list('status=all&limit=100')).body.pathways as Row[]).filter(
      (r) => r.dischargeReadyDate !== null || r.bedDaysLost > 0,
    );
    const tally = (keysOf: (r: Row) => string[]) => {
      const out: Record<string, { pathways: number; delayed: number; bedDaysLost: number }> = {};
      for (const r of rows) {
        for (const key of new Set(keysOf(r))) {
          out[key] ??= { pathways: 0, delayed: 0, bedDaysLost: 0 };
          out[key].pathways += 1;
          out[key].delayed += r.delayedNow ? 1 : 0;
          out[key].bedDaysLost += r.bedDaysLost;
        }
      }
      return out;
    };
    const report = (await system.call('GET', `/reports/delays?site=${site}&status=all`)).body;
    // Every band, in the natural order (none: a stay with no DRD now), then each stay's own.
    const zero = { pathways: 0, delayed: 0, bedDaysLost: 0 };
    expect(Object.keys(report.byBand)).toEqual([
      ...delayBands,
      ...(rows.some((r) => r.delayBand === null) ? ['none'] : []),
    ]);
    expect(report.byBand).toEqual({
      ...Object.fromEntries(delayBands.map((b) => [b, zero])),
      ...tally((r) => [r.delayBand ?? 'none']),
    });
    expect(report.bySite).toEqual(tally((r) => [r.site]));
    expect(report.byLocalAuthority).toEqual(tally((r) => [r.localAuthority ?? 'unknown']));
    expect(report.byPathway).toEqual(tally((r) => [r.pathway ?? 'none']));
    expect(report.byReason).toEqual(tally((r) => r.delayReasons));
    expect(report.byAgency).toEqual(
      tally((r) => r.reasons.flatMap((reason) => (reason.agency ? [reason.agency] : []))),
    );
  });
});

describe('filters, sorting and pages', () => {
  it('stuck: an escalated referral, or a stay in hospital with no event for stuckForDays; not a lively one', async () => {
    const stuck = await list('stuck=true');
    expect(ids(stuck).sort()).toEqual([seeded.A.id, seeded.D.id].sort());
    const acceptBy = (seeded.A.events.find((e) => e.event.type === 'referral.requested')!.event as { acceptBy: string })
      .acceptBy;
    expect(stuck.body.pathways.find((p: { pathwayId: string }) => p.pathwayId === seeded.A.id)).toMatchObject({
      stuck: true,
      stuckSince: acceptBy,
      awaitingAgencies: ['intermediate-care'],
    });
    expect(ids(await list('stuck=false')).sort()).toEqual([liveId(live.episodes), liveId(live.scotland)].sort());
  });

  it('status, plan, reason and date ranges', async () => {
    expect(ids(await list('status=closed')).sort()).toEqual([seeded.B.id, seeded.C.id].sort());
    expect(ids(await list('status=all&dischargedFrom=2026-03-01&dischargedTo=2026-03-05'))).toEqual([seeded.B.id]);
    expect(ids(await list('status=all&dischargedTo=2026-03-04'))).toEqual([]);
    expect(ids(await list('pathway=P1&reason=awaiting_p1_resource&agency=intermediate-care'))).toEqual([seeded.A.id]);
    expect(ids(await list('admittedFrom=2026-03-01&admittedTo=2026-03-31')).sort()).toEqual(
      [seeded.A.id, seeded.D.id].sort(),
    );
  });

  it('pages through a sort with cursors, each stay once, in the same order as one page', async () => {
    for (const sort of ['-bedDaysLost', 'lastEventAt', 'stuckSince', '-dischargeDate']) {
      const whole = ids(await list(`status=all&sort=${sort}&limit=100`));
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(`status=all&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...ids(page));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect({ sort, paged }).toEqual({ sort, paged: whole });
      expect(whole).toHaveLength(6);
    }
    const first = await list('status=all&sort=-bedDaysLost&limit=1');
    const bedDays = ids(await list('status=all&sort=-bedDaysLost&limit=100'));
    expect(ids(first)).toEqual(bedDays.slice(0, 1));
    expect(await list(`sort=lastEventAt&cursor=${first.body.nextCursor}`)).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'cursor' }] },
    });
    expect(await list('colour=red')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'query', message: expect.stringContaining('"colour"') }] },
    });
    expect(await list('dischargedFrom=2026-02-30')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'dischargedFrom' }] },
    });
    expect(await list('dischargedFrom=0000-01-01')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'dischargedFrom' }] },
    });
    const forged = (cursor: object) => Buffer.from(JSON.stringify(cursor)).toString('base64url');
    for (const [sort, value] of [
      ['-daysDelayed', 'x'],
      ['lastEventAt', '2026-13-99 99:99:99+00'],
    ]) {
      expect(await list(`sort=${sort}&cursor=${forged({ sort, value, pathwayId: 'p' })}`)).toMatchObject({
        status: 422,
        body: { issues: [{ path: 'cursor' }] },
      });
    }
  });
});

describe('an agency’s list', () => {
  const asAgency = async (agency: string, query: string) =>
    system.callWith(await system.token(`agency:${agency}`), 'GET', `/pathways?site=${site}&${query}`);

  it('holds only the pathways the agency is referred on, minimised: no reasons, no other agencies, no bed-days', async () => {
    // A (escalated, awaiting intermediate care) and C (cancelled) were referred to intermediate care; nothing else was.
    const open = await asAgency('intermediate-care', 'status=open');
    expect(open.status).toBe(200);
    expect(ids(open)).toEqual([seeded.A.id]);
    expect(ids(await asAgency('intermediate-care', 'status=all')).sort()).toEqual([seeded.A.id, seeded.C.id].sort());
    expect(ids(await asAgency('housing', 'status=all'))).toEqual([]);
    const [a] = open.body.pathways;
    expect(Object.keys(a).sort()).toEqual(
      [
        'pathwayId',
        'status',
        'stage',
        'pathway',
        'site',
        'admittedAt',
        'dischargeReadyDate',
        'dischargeDate',
        'awaitingYourResponse',
        'lastEventAt',
        'closedAt',
      ].sort(),
    );
    expect(a).toMatchObject({
      pathwayId: seeded.A.id,
      status: 'open',
      pathway: 'P1',
      site,
      dischargeReadyDate: '2026-03-02',
      awaitingYourResponse: true,
    });
    const c = (await asAgency('intermediate-care', 'status=closed')).body.pathways[0];
    expect(c).toMatchObject({ pathwayId: seeded.C.id, status: 'closed', awaitingYourResponse: false });
  });

  it('refuses the managers’ filters and sorts, named', async () => {
    for (const [query, field] of [
      ['reason=awaiting_p1_resource', 'reason'],
      ['agency=housing', 'agency'],
      ['stuck=true', 'stuck'],
      ['delayedForDays=1', 'delayedForDays'],
    ]) {
      const response = await asAgency('intermediate-care', query);
      expect({ query, status: response.status }).toEqual({ query, status: 422 });
      expect(response.body.issues).toEqual([
        { path: field, message: 'a managers’ filter, not available to an agency' },
      ]);
    }
    expect(await asAgency('intermediate-care', 'sort=-daysDelayed')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'sort' }] },
    });
  });
});

describe('CSV and the SitRep', () => {
  it('the delay report as CSV, parsed by a real CSV parser, says what the JSON says', async () => {
    const json = (await system.call('GET', `/reports/delays?site=${site}&status=all`)).body;
    for (const asked of [`format=csv`, 'accept']) {
      const response = await fetch(
        `${system.api.url}/reports/delays?site=${site}&status=all${asked === 'accept' ? '' : `&${asked}`}`,
        {
          headers: {
            authorization: `Bearer ${await system.token('manager')}`,
            ...(asked === 'accept' ? { accept: 'text/csv' } : {}),
          },
        },
      );
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(response.headers.get('x-read-model-lag')).toBe('0');
      const text = ['dimension', 'key', 'label'];
      const records = parse(await response.text(), {
        columns: true,
        cast: (value, context) => (context.header || text.includes(String(context.column)) ? value : Number(value)),
      }) as Record<string, string | number>[];
      const rebuilt: Record<string, unknown> = { totals: {} };
      // Each code carries its label (schemas/labels.ts); a site or local authority has none.
      expect(records.find((r) => r.dimension === 'band' && r.key === '2-3')?.label).toBe('2–3 days');
      expect(records.filter((r) => r.dimension === 'site').map((r) => r.label)).toEqual(
        records.filter((r) => r.dimension === 'site').map(() => ''),
      );
      for (const { dimension, key, label: _label, ...tally } of records) {
        if (dimension === 'totals') rebuilt.totals = tally;
        else
          (
            (rebuilt[`by${String(dimension)[0].toUpperCase()}${String(dimension).slice(1)}`] ??= {}) as Record<
              string,
              unknown
            >
          )[key] = tally;
      }
      const { asOf: _asOf, freshness: _freshness, ...figures } = json;
      expect(rebuilt).toEqual(
        Object.fromEntries(Object.entries(figures).filter(([, tallies]) => Object.keys(tallies as object).length > 0)),
      );
    }
  });

  it('a day’s SitRep per site: patients with a DRD that day, delayed by band, by reason, by pathway', async () => {
    const response = await system.call('GET', '/reports/sitrep?date=2026-03-04');
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(response.body as unknown as string, { columns: true }) as Record<string, string>[];
    const ours = rows.find((row) => row.site === site)!;
    // 4 March: A (DRD 2nd, P1 planned on the 3rd), B (DRD 2nd, P0, discharged the 5th), D (Scotland, DRD 3rd, allowance to the 6th).
    expect(ours).toMatchObject({
      date: '2026-03-04',
      patients_with_drd: '3',
      delayed: '2',
      bed_days_lost: '2',
      delay_0_days: '1',
      delay_2_3_days: '2',
      reason_awaiting_p1_resource: '1',
      reason_no_plan: '1',
      reason_awaiting_transport: '0',
      pathway_P1: '1',
      pathway_P0: '1',
      pathway_none: '1',
    });
    const elsewhere = await system.callWith(
      await system.token('manager', { sites: ['ELSEWHERE'] }),
      'GET',
      '/reports/sitrep?date=2026-03-04',
    );
    expect(parse(elsewhere.body as unknown as string, { columns: true })).toEqual([]);
    // Without a date, today's; as JSON on format=json, the same figures.
    const today = await system.call('GET', '/reports/sitrep');
    expect(today.status).toBe(200);
    expect(
      new Set(
        (parse(today.body as unknown as string, { columns: true }) as Record<string, string>[]).map((row) => row.date),
      ),
    ).toEqual(new Set([daysAgo(0)]));
    const json = await system.call('GET', '/reports/sitrep?date=2026-03-04&format=json');
    expect(json.body.sites.find((s: { site: string }) => s.site === site)).toMatchObject({
      patientsWithDrd: 3,
      delayed: 2,
      bedDaysLost: 2,
      byBand: { '0': 1, '1': 0, '2-3': 2, '4-6': 0, '7-13': 0, '14-20': 0, '21+': 0 },
    });
    expect(Object.keys(json.body.sites[0].byBand)).toEqual([...delayBands]);
    expect(await system.call('GET', '/reports/sitrep?date=2026-02-30')).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'date' }] },
    });
  });
});

describe('CSV formula injection', () => {
  it('a site or local authority a spreadsheet would run is refused on a new pathway, and written as text in both CSVs for one started before', async () => {
    expect(await system.call('POST', '/pathways', admission({ site: '-SUM(2)' }))).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'site' }] },
    });
    expect(await system.call('POST', '/pathways', admission({ localAuthority: '-1' }))).toMatchObject({
      status: 422,
      body: { issues: [{ path: 'localAuthority' }] },
    });
    // A stay from before the door was shut (or from a PAS that never asked), as the workflow published it.
    const formula = seededPathway((id) => [
      start({ admissionId: id, site: '-SUM(2)', localAuthority: '=1+2' }),
      { type: 'discharge-ready', at: day(2), date: date(2) },
    ]);
    const producer = await externalProducer('homeward');
    await formula.publish(producer);
    await producer.close();
    const manager = await system.token('manager');
    const csv = async (path: string) => {
      const response = await fetch(`${system.api.url}${path}`, { headers: { authorization: `Bearer ${manager}` } });
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      return parse(await response.text(), { columns: true }) as Record<string, string>[];
    };
    const delays = await eventually(
      () => csv(`/reports/delays?site=${encodeURIComponent('-SUM(2)')}&status=all&format=csv`),
      (rows) => rows.some((row) => row.dimension === 'site'),
    );
    expect(
      delays
        .filter((row) => row.dimension === 'site' || row.dimension === 'localAuthority')
        .map((row) => `${row.dimension} ${row.key}`)
        .sort(),
    ).toEqual(["localAuthority '=1+2", "site '-SUM(2)"]);
    const sitrep = await csv('/reports/sitrep?date=2026-03-04');
    expect(sitrep.find((row) => row.site.includes('SUM'))).toMatchObject({ site: "'-SUM(2)", patients_with_drd: '1' });
    // No cell of either report starts as a formula would.
    const cells = [...delays, ...sitrep].flatMap((row) => Object.values(row));
    expect(cells.filter((cell) => /^[-=+@\t\r]/.test(cell))).toEqual([]);
  });
});

describe('history beyond the workflow', () => {
  it('a pathway Temporal no longer has is read from the read model: state, timeline with actors, an agency’s minimised view', async () => {
    // C never ran on this Temporal: to the API it is a pathway whose workflow is long gone.
    const c = seeded.C;
    await eventually(
      () => system.call('GET', `/pathways/${c.id}/timeline`),
      (r) => r.body.timeline?.length === c.events.length,
    );
    expect(
      await system.client.workflow
        .getHandle(c.id)
        .describe()
        .then(
          () => 'there',
          () => 'gone',
        ),
    ).toBe('gone');
    const read = await system.call('GET', `/pathways/${c.id}`);
    expect(read).toMatchObject({
      status: 200,
      body: {
        view: 'full',
        source: 'read-model',
        stage: 'cancelled',
        state: { site },
        delay: { drd: date(2), daysDelayed: 2 },
        freshness: { lagEvents: 0 },
      },
    });
    expect(read.body.timeline).toEqual(c.events);
    const timeline = await system.call('GET', `/pathways/${c.id}/timeline`);
    expect(timeline.body.timeline.map((e: { actor: unknown }) => e.actor)).toEqual(
      c.events.map(() => ({ subject: 'nurse-1', role: 'discharge-team' })),
    );
    const agency = await system.callWith(await system.token('agency:intermediate-care'), 'GET', `/pathways/${c.id}`);
    expect(agency.body).toMatchObject({ view: 'agency', agency: 'intermediate-care' });
    expect(agency.body.events.map((e: { type: string }) => e.type)).toEqual([
      'uk.nhs.discharge.referral.requested.v1',
      'uk.nhs.discharge.referral.on_hold.v1',
      'uk.nhs.discharge.pathway.cancelled.v1',
    ]);
    expect(JSON.stringify(agency.body)).not.toMatch(/actorsubject|nurse-1/);
    expect(
      (await system.callWith(await system.token('agency:housing'), 'GET', `/pathways/${c.id}/timeline`)).status,
    ).toBe(404);
    expect(
      (await system.callWith(await system.token('manager', { sites: ['ELSEWHERE'] }), 'GET', `/pathways/${c.id}`))
        .status,
    ).toBe(404);
  });

  it('/health says how far behind the projector is', async () => {
    const health = await eventually(
      () => system.call('GET', '/health'),
      (r) => r.body.projector?.status === 'ok',
    );
    expect(health.body.projector).toMatchObject({
      status: 'ok',
      lagEvents: 0,
      lastEventAt: expect.any(String),
      checkedAt: expect.any(String),
    });
  });
});
