import { afterEach, describe, expect, it, vi } from 'vitest';
import { printList, printReport, printSitrep } from '../cli/format';
import { delayBands } from '../domain';

// `homeward list` as each reader sees it: the columns of their own list, aligned, nothing else.
const printed = (run: () => void): string => {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  run();
  return out;
};

afterEach(() => vi.restoreAllMocks());

describe('homeward list', () => {
  it('prints an agency its pathways, with whether its reply is awaited, and no delays or reasons', () => {
    const out = printed(() =>
      printList({
        pathways: [
          {
            pathwayId: 'pathway-A1001',
            stage: 'arranging',
            pathway: 'P1',
            site: 'RGT01',
            dischargeReadyDate: '2026-11-20',
            dischargeDate: null,
            awaitingYourResponse: true,
          },
          {
            pathwayId: 'pathway-B22',
            stage: 'discharged',
            pathway: 'P3',
            site: null,
            dischargeReadyDate: null,
            dischargeDate: '2026-11-02',
            awaitingYourResponse: false,
          },
        ],
      }),
    );
    expect(out).toBe(
      [
        'PATHWAY        STAGE          SITE   READY DATE  DISCHARGED  AWAITING YOU',
        'pathway-A1001  arranging P1   RGT01  2026-11-20  -           yes',
        'pathway-B22    discharged P3  -      -           2026-11-02  -',
        '',
      ].join('\n'),
    );
  });

  it('prints a manager the delays, who is awaited and why, "was" of a delay that is history, blanks without a DRD, and why a stay is stuck', () => {
    const out = printed(() =>
      printList({
        pathways: [
          {
            pathwayId: 'pathway-A1001',
            stage: 'arranging',
            pathway: 'P1',
            site: 'RGT01',
            daysDelayed: 4,
            delayBand: '4-6',
            delayedNow: true,
            awaitingAgencies: ['social-care', 'equipment'],
            delayReasons: ['awaiting_p1_resource'],
            stuckReason: { code: 'referral_overdue', since: '2026-11-21T09:00:00.000Z' },
          },
          {
            pathwayId: 'pathway-B22',
            stage: 'discharged',
            site: 'RGT01',
            daysDelayed: 2,
            delayBand: '2-3',
            delayedNow: false,
            dischargeDate: '2026-11-02',
            awaitingAgencies: [],
            delayReasons: [],
            stuckReason: null,
          },
          {
            pathwayId: 'pathway-C3',
            stage: 'admitted',
            site: 'RGT01',
            daysDelayed: 0,
            delayBand: null,
            delayedNow: false,
            awaitingAgencies: [],
            delayReasons: [],
            stuckReason: { code: 'no_event', since: '2026-11-10T08:15:00.000Z' },
          },
          {
            pathwayId: 'pathway-D4',
            stage: 'intermediate_care',
            site: 'RGT01',
            daysDelayed: 0,
            delayBand: '0',
            delayedNow: false,
            awaitingAgencies: [],
            delayReasons: [],
            stuckReason: { code: 'review_overdue', since: '2026-11-30T00:00:00.000Z' },
          },
        ],
      }),
    );
    expect(out).toBe(
      [
        'PATHWAY        STAGE              SITE   DELAYED       AWAITING               REASONS               STUCK',
        'pathway-A1001  arranging P1       RGT01  4d (4-6)      social-care,equipment  awaiting_p1_resource  referral overdue since 2026-11-21 09:00',
        'pathway-B22    discharged         RGT01  was 2d (2-3)  -                      -',
        'pathway-C3     admitted           RGT01                -                      -                     no event since 2026-11-10 08:15',
        'pathway-D4     intermediate_care  RGT01  0d (0)        -                      -                     review overdue since 2026-11-30 00:00',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing matches', () => {
    expect(printed(() => printList({ pathways: [] }))).toBe('No pathways match.\n');
  });
});

const tally = (pathways: number, delayed: number, bedDaysLost: number) => ({ pathways, delayed, bedDaysLost });

describe('homeward report delays', () => {
  it('prints delayed now of the stays, then each dimension with its delayed count, bands in their natural order as the report gives them', () => {
    const byBand = {
      ...Object.fromEntries(delayBands.map((b) => [b, tally(0, 0, 0)])),
      '0': tally(1, 0, 10),
      '2-3': tally(2, 1, 5),
      '21+': tally(1, 1, 22),
      none: tally(1, 0, 6),
    };
    const out = printed(() =>
      printReport({
        asOf: '2026-11-25',
        totals: tally(5, 2, 43),
        byBand,
        byReason: { awaiting_p1_resource: tally(2, 1, 5), no_plan: tally(1, 1, 22) },
        byAgency: { 'intermediate-care': tally(2, 1, 5), family: tally(1, 1, 22) },
        bySite: { RGT01: tally(5, 2, 43) },
        byLocalAuthority: { Leeds: tally(5, 2, 43) },
        byPathway: {},
      }),
    );
    const lines = out.split('\n');
    expect(lines[0]).toBe(
      'Delays as of 2026-11-25: 2 of 5 stays with a discharge ready date delayed now, 43 bed-days lost',
    );
    const band = lines.indexOf('BAND   STAYS  DELAYED  BED-DAYS LOST  MEANING');
    expect(lines.slice(band, band + 10)).toEqual([
      'BAND   STAYS  DELAYED  BED-DAYS LOST  MEANING',
      '0          1        0             10  Ready, no day lost yet',
      '1          0        0              0  1 day',
      '2-3        2        1              5  2–3 days',
      '4-6        0        0              0  4–6 days',
      '7-13       0        0              0  7–13 days',
      '14-20      0        0              0  14–20 days',
      '21+        1        1             22  21 days or more',
      'none       1        0              6  No discharge ready date now',
      '',
    ]);
    expect(out).toContain(
      [
        'REASON                STAYS  DELAYED  BED-DAYS LOST  MEANING',
        'awaiting_p1_resource      2        1              5  Awaiting care at home (P1)',
        'no_plan                   1        1             22  No discharge plan',
      ].join('\n'),
    );
    // The agency dimension is whom a delay waits on: the family is labelled as such, not as an agency.
    expect(out).toContain(
      [
        'AGENCY             STAYS  DELAYED  BED-DAYS LOST  MEANING',
        'intermediate-care      2        1              5  Intermediate care',
        'family                 1        1             22  Family',
      ].join('\n'),
    );
    // Sites and local authorities are their own names: no label column.
    expect(out).toContain(['SITE   STAYS  DELAYED  BED-DAYS LOST', 'RGT01      5        2             43'].join('\n'));
    expect(out).toContain('PATHWAY: none\n');
  });
});

describe('homeward report sitrep', () => {
  const site = (name: string, patientsWithDrd: number, delayed: number, bedDaysLost: number, bands: number[]) => ({
    site: name,
    patientsWithDrd,
    delayed,
    bedDaysLost,
    byBand: Object.fromEntries(delayBands.map((b, i) => [b, bands[i]])),
  });

  it('prints each site and all of them, with the bands in order', () => {
    const out = printed(() =>
      printSitrep({
        date: '2026-11-25',
        sites: [site('LEEDS-GEN', 3, 2, 3, [1, 0, 1, 0, 0, 0, 1]), site('ST-JAMES', 1, 1, 1, [0, 1, 0, 0, 0, 0, 0])],
      }),
    );
    expect(out).toBe(
      [
        'SitRep for 2026-11-25: patients in hospital with a discharge ready date that day, by site (--csv: the whole return)',
        'SITE       WITH DRD  DELAYED  BED-DAYS LOST  0d  1d  2-3d  4-6d  7-13d  14-20d  21+d',
        'LEEDS-GEN         3        2              3   1   0     1     0      0       0     1',
        'ST-JAMES          1        1              1   0   1     0     0      0       0     0',
        'all sites         4        3              4   1   1     1     0      0       0     1',
        '',
      ].join('\n'),
    );
  });

  it('says so when nobody had a DRD that day', () => {
    expect(printed(() => printSitrep({ date: '2026-11-25', sites: [] }))).toBe(
      'SitRep for 2026-11-25: patients in hospital with a discharge ready date that day, by site (--csv: the whole return)\nNo patient had a discharge ready date that day.\n',
    );
  });
});
