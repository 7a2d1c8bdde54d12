import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCloudEvent } from '../kafka/envelopes';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import { activeReasons, delayBand, delayBands, isClosed, overdueSince, reviewOverdueSince } from '../domain';
import { topics } from '../kafka/topics';
import { saveEvents, reproject } from '../projections/store';
import { connectDatabase, inTransaction, type Database } from '../readmodel/database';
import { reasonAgencies } from '../domain';
import {
  band,
  bedDaysLost,
  delayedForDays,
  delayedNow,
  forReason,
  handoverDeclined,
  reported,
  reviewOverdue,
  stuck,
  waitingOn,
  withDrd,
} from '../readmodel/figures';
import { migrate } from '../readmodel/migrate';
import { createTestDatabase } from './support/database';
import { uniqueAdmissionId } from './support/fixtures';
import { generatedStay, stayPlan, type GeneratedStay, type StayPlan } from './support/generated-stays';
import { externalProducer } from './support/produce';
import { testEnvironment } from './support/secrets';
import { runCommand } from './support/spawn';
import { eventually, startSystem } from './support/system';

// The managers' figures, one definition each (readmodel/figures.ts): its SQL says what the domain's
// functions say, and every surface (the list, the report as JSON and CSV, the SitRep, the trend, the
// dashboard's sources and the CLI) gives the same counts for the same filter. Pathways are generated
// (test/support/generated-stays.ts) and their figures computed by the domain from their events alone.

const utcToday = () => new Date().toISOString().slice(0, 10);
const count = <T>(items: T[], test: (item: T) => boolean) => items.filter(test).length;

/** The reason and the agency most stays are held up for now (the filters worth checking), or a fixed pair when none is. */
function commonestReasonAndAgency(stays: GeneratedStay[]): { reason: string; agency: string } {
  const commonest = (values: string[], fallback: string) =>
    [...values.reduce((tally, v) => tally.set(v, (tally.get(v) ?? 0) + 1), new Map<string, number>())].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
    )[0]?.[0] ?? fallback;
  const reasons = stays.map((s) => activeReasons(s.state));
  return {
    reason: commonest(
      reasons.flatMap((r) => [...new Set(r.map((reason) => reason.code))]),
      'no_plan',
    ),
    // Only agencies filter (the patient and family are no agency).
    agency: commonest(
      reasons.flatMap((r) => reasonAgencies(r)).filter((a) => a !== 'patient' && a !== 'family'),
      'acute-trust',
    ),
  };
}

describe('bands', () => {
  it('come in their natural order, as delayBand gives them for more and more days', () => {
    const seen = [...new Set(Array.from({ length: 40 }, (_, days) => delayBand(days)))];
    expect(seen).toEqual([...delayBands]);
  });
});

/** Discharged home on P1 thirty days ago, its first review never recorded. */
const reviewOverdueStay: StayPlan = {
  admittedDaysAgo: 30,
  region: 'england',
  site: 0,
  localAuthority: 0,
  steps: [
    { gapDays: 1, hoursBack: 2, step: { kind: 'discharge-ready', offset: 0 } },
    { gapDays: 0, hoursBack: 2, step: { kind: 'assessment', pathway: 'P1', needs: ['reablement'] } },
    { gapDays: 0, hoursBack: 2, step: { kind: 'answer', response: 'accepted' } },
    { gapDays: 1, hoursBack: 2, step: { kind: 'answer', response: 'ready' } },
    { gapDays: 0, hoursBack: 2, step: { kind: 'discharge' } },
  ],
};

/** Discharged home on P1 twenty days ago, reviewed a week later as needing long-term care, and social care declined the handover. */
const handoverDeclinedStay: StayPlan = {
  ...reviewOverdueStay,
  admittedDaysAgo: 22,
  steps: [
    ...reviewOverdueStay.steps,
    { gapDays: 8, hoursBack: 2, step: { kind: 'review-long-term' } },
    { gapDays: 1, hoursBack: 2, step: { kind: 'answer', response: 'declined', purpose: 'handover' } },
  ],
};

describe('each figure’s SQL says what the domain says, on the real PostgreSQL', () => {
  let db: Database;
  let cipher: PersonalDataCipher;
  beforeAll(async () => {
    db = connectDatabase(await createTestDatabase());
    await migrate(db);
    cipher = PersonalDataCipher.fromSetting(testEnvironment().HOMEWARD_CODEC_KEYS);
  });
  afterAll(async () => {
    await db?.end();
  });

  it('delayed now, delayed for N days, with a DRD, band, bed-days lost, reported and stuck, for generated pathways', async () => {
    // What the runs covered, so that the property is not vacuously true.
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(stayPlan, { minLength: 1, maxLength: 10 }),
        fc.nat({ max: 12 }),
        fc.integer({ min: 1, max: 10 }),
        async (plans, days, stuckForDays) => {
          const now = Date.now();
          const today = utcToday();
          const stays = plans.map((plan) =>
            generatedStay(plan, {
              admissionId: uniqueAdmissionId('F'),
              sites: ['FIG-A', 'FIG-B'],
              localAuthorities: ['Leeds', 'Wakefield'],
              now,
            }),
          );
          const ids = stays.map((s) => s.pathwayId);
          const picked = commonestReasonAndAgency(stays);
          // Stored and folded as the projector does it, in one transaction.
          await inTransaction(db, async (client) => {
            await saveEvents(
              client,
              stays.flatMap((s) => s.events.map((recorded) => ({ pathwayId: s.pathwayId, recorded }))),
              cipher,
            );
            await reproject(client, ids, today);
          });
          const { sqlNow, rows } = await inTransaction(db, async (client) => {
            // now() is the transaction's: the same instant for the stuck figure and for the domain.
            const [{ at }] = (await client.query<{ at: string }>('SELECT now() AS at')).rows;
            const result = await client.query(
              `SELECT pathway_id AS "pathwayId", ${withDrd.sql} AS "withDrd", ${delayedForDays.sql('$2')} AS "delayedForDays", ${delayedNow.sql} AS "delayedNow",
               ${band.sql} AS band, ${bedDaysLost.sql} AS "bedDaysLost", ${reported.sql} AS reported, ${stuck.sql('$3')} AS stuck,
               ${forReason.sql('$4')} AS "forReason", ${waitingOn.sql('$5')} AS "waitingOn", ${reviewOverdue.sql} AS "reviewOverdue", ${handoverDeclined.sql} AS "handoverDeclined"
             FROM pathways WHERE pathway_id = ANY($1::text[]) ORDER BY pathway_id`,
              [ids, days, stuckForDays, picked.reason, picked.agency],
            );
            return { sqlNow: Date.parse(at), rows: result.rows };
          });
          const expected = [...stays]
            .sort((a, b) => (a.pathwayId < b.pathwayId ? -1 : 1))
            .map(({ pathwayId, state, lastEventAt }) => ({
              pathwayId,
              withDrd: withDrd.of(state, today),
              delayedForDays: delayedForDays.of(state, today, days),
              delayedNow: delayedNow.of(state, today),
              band: band.of(state, today),
              bedDaysLost: bedDaysLost.of(state, today),
              reported: reported.of(state, today),
              stuck: stuck.of(state, { lastEventAt, now: sqlNow, stuckForDays }),
              forReason: forReason.of(state, picked.reason),
              waitingOn: waitingOn.of(state, picked.agency),
              reviewOverdue: reviewOverdue.of(state),
              handoverDeclined: handoverDeclined.of(state),
            }));
          // Today's day rows (the trend's last day) say the same of a reason and an agency as the rows do.
          const { rows: todays } = await db.query(
            `SELECT pathway_id AS "pathwayId", ${forReason.sql('$2')} AS "forReason", ${waitingOn.sql('$3')} AS "waitingOn" FROM pathway_days
           WHERE pathway_id = ANY($1::text[]) AND day = $4::date ORDER BY pathway_id`,
            [ids, picked.reason, picked.agency, today],
          );
          expect(todays).toEqual(
            expected
              .filter((e) => e.withDrd)
              .map(({ pathwayId, forReason, waitingOn }) => ({ pathwayId, forReason, waitingOn })),
          );
          if (expected.some((e) => e.handoverDeclined)) seen.add('handover declined');
          if (expected.some((e) => e.forReason)) seen.add('held up for the reason filtered on');
          if (expected.some((e) => e.waitingOn)) seen.add('waiting on the agency filtered on');
          expect(rows).toEqual(expected);
          for (const stay of stays) for (const kind of kindsOf(stay, today)) seen.add(kind);
        },
      ),
      // Plus one stay in intermediate care whose review is overdue: under rules 4 fewer generated P1
      // stays go home (a gap in support is refused), and 60 runs alone reached one too seldom.
      {
        numRuns: 60,
        examples: [
          [[reviewOverdueStay], 0, 3],
          [[handoverDeclinedStay], 0, 3],
        ],
      },
    );
    expect([...seen].sort()).toEqual(
      [...kinds, 'held up for the reason filtered on', 'waiting on the agency filtered on', 'handover declined'].sort(),
    );
  }, 180_000);
});

/** The cases a figure could get wrong: each must turn up in the generated pathways. */
const kinds = [
  'delayed now',
  'DRD today or within the allowance (band 0)',
  'DRD for a later day',
  'criteria to reside met again, with bed-days lost',
  'discharged after a delay',
  'closed after a delay without a discharge',
  'stuck: referral overdue',
  'stuck: review overdue',
  'stuck: no event',
] as const;

function kindsOf({ state, lastEventAt }: GeneratedStay, today: string): string[] {
  const inHospital = ['admitted', 'assessment', 'arranging', 'ready_for_discharge'].includes(state.stage);
  const silent = Date.parse(lastEventAt) < Date.now() - 7 * 86_400_000;
  const drd = state.drd;
  const found: (string | false)[] = [
    delayedNow.of(state, today) && 'delayed now',
    band.of(state, today) === '0' && inHospital && 'DRD today or within the allowance (band 0)',
    inHospital && drd !== undefined && drd > today && 'DRD for a later day',
    inHospital && !drd && bedDaysLost.of(state, today) > 0 && 'criteria to reside met again, with bed-days lost',
    (state.discharge?.daysDelayed ?? 0) > 0 && 'discharged after a delay',
    isClosed(state) &&
      !state.discharge &&
      ![null, '0'].includes(band.of(state, today)) &&
      'closed after a delay without a discharge',
    !isClosed(state) &&
      state.referrals.some((r) => r.overdueSince && (r.status === 'requested' || r.status === 'accepted')) &&
      inHospital &&
      'stuck: referral overdue',
    !isClosed(state) && reviewOverdueSince(state) !== undefined && 'stuck: review overdue',
    !isClosed(state) && inHospital && silent && 'stuck: no event',
  ];
  return found.filter((kind): kind is string => kind !== false);
}

describe('every surface gives the same counts for the same filter', () => {
  let system: Awaited<ReturnType<typeof startSystem>>;
  let producer: Awaited<ReturnType<typeof externalProducer>>;
  const all: GeneratedStay[] = [];
  const ourSites: string[] = [];
  // Other spec files publish on the same topic, so this projector's read model holds their stays
  // too: "all sites" is a manager limited to this spec's sites, as a trust's manager is to theirs.
  let manager: string;
  beforeAll(async () => {
    system = await startSystem();
    // As Homeward itself: the worker's publisher is the only writer of this topic.
    producer = await externalProducer('homeward');
  });
  const cli = async (args: string[]) => {
    const result = await runCommand(path.join(__dirname, '..', 'bin', 'homeward'), args, {
      HOMEWARD_API_URL: system.api.url,
      HOMEWARD_TOKEN: manager,
    });
    expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
    return result.stdout;
  };
  afterAll(async () => {
    await producer?.close();
    await system?.stop();
  });

  const get = async (route: string) => {
    const response = await system.callWith(manager, 'GET', route);
    expect({ route, status: response.status }).toEqual({ route, status: 200 });
    return response.body;
  };
  const csvRecords = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

  /** What the domain says of the stays a filter selects (open ones for the report, as its default). */
  function expectedFigures(stays: GeneratedStay[], today: string, days: number) {
    const now = Date.now();
    const open = stays.filter((s) => !isClosed(s.state) && reported.of(s.state, today));
    const tally = (of: GeneratedStay[]) => ({
      pathways: of.length,
      delayed: count(of, (s) => delayedNow.of(s.state, today)),
      bedDaysLost: of.reduce((t, s) => t + bedDaysLost.of(s.state, today), 0),
    });
    const bandOf = (s: GeneratedStay) => band.of(s.state, today) ?? 'none';
    const byBand: Record<string, ReturnType<typeof tally>> = Object.fromEntries(
      delayBands.map((b) => [b, tally(open.filter((s) => bandOf(s) === b))]),
    );
    const none = tally(open.filter((s) => bandOf(s) === 'none'));
    if (none.pathways > 0) byBand.none = none;
    const withDrdNow = stays.filter((s) => withDrd.of(s.state, today));
    return {
      delayedNow: count(stays, (s) => delayedNow.of(s.state, today)),
      withDrd: withDrdNow.length,
      delayedForDays: count(stays, (s) => delayedForDays.of(s.state, today, days)),
      stuck: count(stays, (s) => stuck.of(s.state, { lastEventAt: s.lastEventAt, now, stuckForDays: 7 })),
      totals: tally(open),
      byBand,
      sitrepBands: Object.fromEntries(delayBands.map((b) => [b, count(withDrdNow, (s) => bandOf(s) === b)])),
    };
  }

  it('the list, the report (JSON and CSV), the SitRep, the trend, the dashboard’s sources and the CLI, all sites and one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stayPlan, { minLength: 8, maxLength: 20 }),
        fc.integer({ min: 2, max: 10 }),
        async (plans, days) => {
          const run = randomUUID().slice(0, 6).toUpperCase();
          const sites = [`X-${run}-A`, `X-${run}-B`];
          const now = Date.now();
          // With a review overdue and a handover declined each run, so their filters count something.
          const stays = [reviewOverdueStay, handoverDeclinedStay, ...plans].map((plan) =>
            generatedStay(plan, {
              admissionId: uniqueAdmissionId('X'),
              sites,
              localAuthorities: ['Leeds', 'Wakefield'],
              now,
            }),
          );
          all.push(...stays);
          ourSites.push(...sites);
          manager = await system.token('manager', { sites: ourSites });
          // Published as the workflow publishes them; read when the projector has every event.
          await Promise.all(
            stays.flatMap((s) =>
              s.events.map((recorded) =>
                producer.send(topics.pathwayEvents, s.pathwayId, toCloudEvent(s.pathwayId, recorded)),
              ),
            ),
          );
          const lastSequences = new Map(all.map((s) => [s.pathwayId, s.events.length]));
          await eventually(
            async () =>
              (
                await system.projector.db.query<{ pathway_id: string; last_sequence: number }>(
                  'SELECT pathway_id, last_sequence FROM pathways WHERE pathway_id = ANY($1::text[])',
                  [[...lastSequences.keys()]],
                )
              ).rows,
            (rows) =>
              rows.length === all.length && rows.every((r) => lastSequences.get(r.pathway_id) === r.last_sequence),
            30_000,
          );
          const today = utcToday();

          for (const site of [undefined, sites[0]]) {
            const stayed = site ? all.filter((s) => s.site === site) : all;
            const expected = expectedFigures(stayed, today, days);
            const query = site ? `site=${site}&` : '';
            const siteArgs = site ? ['--site', site] : [];
            const label = { site, expected };

            // The list: delayed now, with a DRD (0 days), delayed for N days, stuck; and each row's own figures.
            const list = async (filters: string) =>
              (await get(`/pathways?${query}${filters}&limit=1000`)).pathways as Record<string, unknown>[];
            const everyStay = await list('status=all');
            expect({ ...label, delayedNowRows: count(everyStay, (p) => p.delayedNow === true) }).toEqual({
              ...label,
              delayedNowRows: expected.delayedNow,
            });
            expect({ ...label, delayedForOne: (await list('delayedForDays=1')).length }).toEqual({
              ...label,
              delayedForOne: expected.delayedNow,
            });
            expect({ ...label, withDrd: (await list('delayedForDays=0')).length }).toEqual({
              ...label,
              withDrd: expected.withDrd,
            });
            expect({ ...label, days, delayedFor: (await list(`delayedForDays=${days}`)).length }).toEqual({
              ...label,
              days,
              delayedFor: expected.delayedForDays,
            });
            // The review-overdue and handover-declined filters: each the domain's one function.
            const overdueReviews = count(stayed, (s) => !isClosed(s.state) && reviewOverdue.of(s.state));
            const declinedHandovers = count(stayed, (s) => !isClosed(s.state) && handoverDeclined.of(s.state));
            expect({
              ...label,
              reviewOverdue: (await list('reviewOverdue=true')).length,
              handoverDeclined: (await list('handoverDeclined=true')).length,
            }).toEqual({
              ...label,
              reviewOverdue: overdueReviews,
              handoverDeclined: declinedHandovers,
            });
            const stuckRows = await list('stuck=true');
            expect({ ...label, stuck: stuckRows.length }).toEqual({ ...label, stuck: expected.stuck });
            // Each says why: a missed deadline the domain knows of, or no event at all.
            const byId = new Map(stayed.map((s) => [s.pathwayId, s.state]));
            const silence = (id: string) =>
              overdueSince(byId.get(id)!) === undefined && reviewOverdueSince(byId.get(id)!) === undefined;
            const reasons = stuckRows.map((p) => [
              p.pathwayId,
              (p.stuckReason as { code: string } | null)?.code === 'no_event',
            ]);
            expect(reasons).toEqual(stuckRows.map((p) => [p.pathwayId, silence(p.pathwayId as string)]));

            // The report as JSON: totals, every band in order, and delayed per group adding up.
            const report = await get(`/reports/delays?${query}`);
            expect({ ...label, totals: report.totals, byBand: report.byBand }).toEqual({
              ...label,
              totals: expected.totals,
              byBand: expected.byBand,
            });
            expect(Object.keys(report.byBand)).toEqual(Object.keys(expected.byBand));
            const delayedBySite = Object.values(report.bySite as Record<string, { delayed: number }>).reduce(
              (t, s) => t + s.delayed,
              0,
            );
            expect({ ...label, delayedBySite }).toEqual({ ...label, delayedBySite: expected.delayedNow });

            // The report as CSV: the same tallies, bands in the same natural order.
            const csv = csvRecords(
              (await system.callWith(manager, 'GET', `/reports/delays?${query}format=csv`)).body as unknown as string,
            );
            const csvTotals = csv.find((r) => r.dimension === 'totals')!;
            expect({
              pathways: Number(csvTotals.pathways),
              delayed: Number(csvTotals.delayed),
              bedDaysLost: Number(csvTotals.bedDaysLost),
            }).toEqual(expected.totals);
            const csvBands = csv
              .filter((r) => r.dimension === 'band')
              .map((r) => [
                r.key,
                { pathways: Number(r.pathways), delayed: Number(r.delayed), bedDaysLost: Number(r.bedDaysLost) },
              ]);
            expect(csvBands).toEqual(Object.entries(expected.byBand));

            // Today's SitRep (no date: today) and the trend's today: patients with a DRD, delayed, by band.
            const sitrep = await get('/reports/sitrep?format=json');
            expect(sitrep.date).toBe(today);
            const sitrepSites = (
              sitrep.sites as {
                site: string;
                patientsWithDrd: number;
                delayed: number;
                byBand: Record<string, number>;
              }[]
            ).filter((s) => !site || s.site === site);
            const sum = (pick: (s: (typeof sitrepSites)[number]) => number) =>
              sitrepSites.reduce((t, s) => t + pick(s), 0);
            const sitrepBands = Object.fromEntries(delayBands.map((b) => [b, sum((s) => s.byBand[b])]));
            expect({
              ...label,
              withDrd: sum((s) => s.patientsWithDrd),
              delayed: sum((s) => s.delayed),
              bands: sitrepBands,
            }).toEqual({
              ...label,
              withDrd: expected.withDrd,
              delayed: expected.delayedNow,
              bands: expected.sitrepBands,
            });
            const trend = (await get(`/reports/trend?${query}days=30`)).days as {
              day: string;
              patientsWithDrd: number;
              delayed: number;
            }[];
            expect({ ...label, today: trend.at(-1) }).toMatchObject({
              ...label,
              today: { day: today, patientsWithDrd: expected.withDrd, delayed: expected.delayedNow },
            });

            // Filtered by a delay reason, then by an agency: the trend's today, the list and the report agree with the domain.
            const picked = commonestReasonAndAgency(stayed);
            for (const [name, value, holds] of [
              ['reason', picked.reason, (s: GeneratedStay) => forReason.of(s.state, picked.reason)],
              ['agency', picked.agency, (s: GeneratedStay) => waitingOn.of(s.state, picked.agency)],
            ] as const) {
              const filter = `${name}=${value}`;
              const held = stayed.filter(holds);
              const domain = {
                withDrd: count(held, (s) => withDrd.of(s.state, today)),
                delayed: count(held, (s) => delayedNow.of(s.state, today)),
              };
              const filteredTrend = (
                (await get(`/reports/trend?${query}${filter}&days=7`)).days as {
                  patientsWithDrd: number;
                  delayed: number;
                }[]
              ).at(-1)!;
              const surfaces = {
                trend: { withDrd: filteredTrend.patientsWithDrd, delayed: filteredTrend.delayed },
                list: {
                  withDrd: (await list(`delayedForDays=0&${filter}`)).length,
                  delayed: (await list(`delayedForDays=1&${filter}`)).length,
                },
                reportDelayed: ((await get(`/reports/delays?${query}${filter}`)).totals as { delayed: number }).delayed,
              };
              expect({ ...label, filter, surfaces }).toEqual({
                ...label,
                filter,
                surfaces: { trend: domain, list: domain, reportDelayed: domain.delayed },
              });
            }

            // The dashboard's sources, as it asks for them: the headline, the "delayed now" table and the trend's last day.
            const delayedTable = (await get(`/pathways?${query}delayedForDays=1&sort=-daysDelayed&limit=50`))
              .pathways as unknown[];
            expect({ ...label, headline: report.totals.delayed, table: delayedTable.length }).toEqual({
              ...label,
              headline: expected.delayedNow,
              table: Math.min(50, expected.delayedNow),
            });

            // The CLI: the report's first line and band table, its CSV byte for byte, the list's rows.
            const [printed, printedCsv, delayedList, forDaysList, stuckList, overdueList, declinedList] =
              await Promise.all([
                cli(['report', 'delays', ...siteArgs]),
                cli(['report', 'delays', '--csv', ...siteArgs]),
                cli(['list', '--delayed-for-days', '1', ...siteArgs]),
                cli(['list', '--delayed-for-days', String(days), ...siteArgs]),
                cli(['list', '--stuck', ...siteArgs]),
                cli(['list', '--review-overdue', ...siteArgs]),
                cli(['list', '--handover-declined', ...siteArgs]),
              ]);
            const { totals } = expected;
            expect(printed.split('\n')[0]).toBe(
              `Delays as of ${today}: ${totals.delayed} of ${totals.pathways} stays with a discharge ready date delayed now, ${totals.bedDaysLost} bed-days lost`,
            );
            const lines = printed.split('\n');
            const bandRows = lines
              .slice(lines.findIndex((l) => l.startsWith('BAND')) + 1)
              .slice(0, Object.keys(expected.byBand).length);
            expect(bandRows.map((l) => l.trim().split(/\s+/).slice(0, 4))).toEqual(
              Object.entries(expected.byBand).map(([b, t]) => [
                b,
                String(t.pathways),
                String(t.delayed),
                String(t.bedDaysLost),
              ]),
            );
            expect(printedCsv).toBe((await system.callWith(manager, 'GET', `/reports/delays?${query}format=csv`)).body);
            const rowsOf = (table: string) =>
              table.startsWith('No pathways match') ? [] : table.trimEnd().split('\n').slice(1);
            expect({
              ...label,
              delayedList: rowsOf(delayedList).length,
              forDaysList: rowsOf(forDaysList).length,
              stuckList: rowsOf(stuckList).length,
              overdueList: rowsOf(overdueList).length,
              declinedList: rowsOf(declinedList).length,
            }).toEqual({
              ...label,
              delayedList: expected.delayedNow,
              forDaysList: expected.delayedForDays,
              stuckList: expected.stuck,
              overdueList: overdueReviews,
              declinedList: declinedHandovers,
            });
            for (const row of rowsOf(stuckList))
              expect(row).toMatch(/(referral overdue|review overdue|no event) since \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
          }

          // The SitRep from the CLI: today's by default, its CSV the API's byte for byte, its lines the figures'.
          const [sitrepTable, sitrepCsv] = await Promise.all([
            cli(['report', 'sitrep']),
            cli(['report', 'sitrep', '--csv']),
          ]);
          expect(sitrepCsv).toBe((await system.callWith(manager, 'GET', `/reports/sitrep?date=${today}`)).body);
          const everywhere = expectedFigures(all, today, days);
          const lines = sitrepTable.split('\n');
          // A run where nobody has a DRD today prints a sentence instead of the table: no site lines, every figure 0.
          const header = lines.findIndex((l) => l.startsWith('SITE'));
          if (header < 0) expect(lines[1]).toBe('No patient had a discharge ready date that day.');
          const siteLines = header < 0 ? [] : lines.slice(header + 1).filter((l) => l && !l.startsWith('all sites'));
          const columns = siteLines.map((l) => l.trim().split(/\s+/).slice(1).map(Number));
          const summed = Array.from({ length: 3 + delayBands.length }, (_, i) => columns.reduce((t, c) => t + c[i], 0));
          expect(summed).toEqual([
            everywhere.withDrd,
            everywhere.delayedNow,
            expect.any(Number),
            ...delayBands.map((b) => everywhere.sitrepBands[b]),
          ]);
        },
      ),
      // The runs add to one read model, as a real one grows: a failure is reported as it happened, not shrunk.
      { numRuns: 3, endOnFailure: true },
    );
  }, 300_000);
});
