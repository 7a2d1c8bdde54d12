import { afterEach, describe, expect, it, vi } from 'vitest';
import { printList } from '../cli/format';

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
          { pathwayId: 'pathway-A1001', stage: 'arranging', pathway: 'P1', site: 'RGT01', dischargeReadyDate: '2026-11-20', dischargeDate: null, awaitingYourResponse: true },
          { pathwayId: 'pathway-B22', stage: 'discharged', pathway: 'P3', site: null, dischargeReadyDate: null, dischargeDate: '2026-11-02', awaitingYourResponse: false },
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

  it('prints a manager the delays, who is awaited and why, and says "was" of a delay that ended at discharge', () => {
    const out = printed(() =>
      printList({
        pathways: [
          { pathwayId: 'pathway-A1001', stage: 'arranging', pathway: 'P1', site: 'RGT01', daysDelayed: 4, delayBand: '3-6', delayedNow: true, awaitingAgencies: ['social-care', 'equipment'], delayReasons: ['awaiting-package'], overdueSince: '2026-11-21T09:00:00.000Z' },
          { pathwayId: 'pathway-B22', stage: 'discharged', site: 'RGT01', daysDelayed: 2, delayBand: '1-2', delayedNow: false, dischargeDate: '2026-11-02', awaitingAgencies: [], delayReasons: [] },
        ],
      }),
    );
    expect(out).toBe(
      [
        'PATHWAY        STAGE         SITE   DELAYED       AWAITING               REASONS           OVERDUE SINCE',
        'pathway-A1001  arranging P1  RGT01  4d (3-6)      social-care,equipment  awaiting-package  2026-11-21 09:00',
        'pathway-B22    discharged    RGT01  was 2d (1-2)  -                      -                 -',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing matches', () => {
    expect(printed(() => printList({ pathways: [] }))).toBe('No pathways match.\n');
  });
});
