import { describe, expect, it } from 'vitest';
import { initialState, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import { assessment, date, day, history, rules2, start } from '../../test/domain/spec';
import { dayRows } from './rows';
import { foldTimeline, pathwayRow } from '../pathways/row';

// Given events, then the days a SitRep counts: one row per day in hospital with a DRD.
const timeline = (commands: PathwayCommand[], region: 'england' | 'scotland' = 'england', initial = initialState) =>
  history(commands, resolvePolicy(region), initial).map((event, i) => ({ sequence: i + 1, event }));
const drd = (n: number): PathwayCommand => ({ type: 'discharge-ready', at: day(n), date: date(n) });
const lostBefore = (rows: { day: string; bedDayLost: boolean }[], today: string) =>
  rows.filter((r) => r.day < today && r.bedDayLost).length;

describe('the days of a delay', () => {
  it('one row a day from the DRD to today, banded by the days delayed that day', () => {
    const rows = dayRows('pathway-A1', timeline([start(), drd(3)]), date(6));
    expect(rows.map((r) => [r.day, r.daysDelayed, r.delayBand, r.bedDayLost])).toEqual([
      [date(3), 0, '0', true],
      [date(4), 1, '1', true],
      [date(5), 2, '2-3', true],
      [date(6), 3, '2-3', true],
    ]);
    expect(rows[0]).toMatchObject({
      pathwayId: 'pathway-A1',
      site: 'LEEDS-GEN',
      localAuthority: 'Leeds',
      reasonCodes: ['no_plan'],
    });
  });

  it('reasons and plan as they stood at the end of each day', () => {
    const assess: PathwayCommand = assessment('P2', ['step-down-bed'], day(5));
    const rows = dayRows('pathway-A1', timeline([start(), drd(3), assess]), date(5));
    expect(rows.map((r) => [r.day, r.pathway, r.reasonCodes, r.reasonAgencies])).toEqual([
      [date(3), null, ['no_plan'], ['acute-trust']],
      [date(4), null, ['no_plan'], ['acute-trust']],
      [date(5), 'P2', ['awaiting_p2_bed'], ['intermediate-care']],
    ]);
  });

  it('every earlier episode counts, the days between them do not; the lost days add up to the row’s bed-days lost', () => {
    const events = timeline([start(), drd(2), { type: 'criteria-to-reside-met', at: day(5) }, drd(8)]);
    const rows = dayRows('pathway-A1', events, date(9));
    expect(rows.map((r) => r.day)).toEqual([date(2), date(3), date(4), date(8), date(9)]);
    expect(lostBefore(rows, date(9))).toBe(pathwayRow('pathway-A1', foldTimeline(events), date(9))!.bedDaysLost);
  });

  it('a new DRD dated before the day the last was cleared (pathways under rules 2, which took one): one row a day, the later episode’s', () => {
    const events = timeline(
      [
        start(),
        drd(2),
        { type: 'criteria-to-reside-met', at: day(6) },
        { type: 'discharge-ready', at: day(6), date: date(5) },
      ],
      'england',
      rules2,
    );
    const rows = dayRows('pathway-A1', events, date(6));
    expect(rows.map((r) => [r.day, r.daysDelayed])).toEqual([
      [date(2), 0],
      [date(3), 1],
      [date(4), 2],
      [date(5), 0],
      [date(6), 1],
    ]);
  });

  it('Scotland: the allowance days are in hospital with a DRD but lose no bed-day', () => {
    const events = timeline([start({ region: 'scotland' }), drd(3)], 'scotland');
    const rows = dayRows('pathway-A1', events, date(8));
    expect(rows.map((r) => [r.day, r.daysDelayed, r.bedDayLost])).toEqual([
      [date(3), 0, false],
      [date(4), 0, false],
      [date(5), 0, false],
      [date(6), 0, true],
      [date(7), 1, true],
      [date(8), 2, true],
    ]);
    expect(lostBefore(rows, date(8))).toBe(pathwayRow('pathway-A1', foldTimeline(events), date(8))!.bedDaysLost);
  });

  it('ends the day before discharge, and the discharge’s delay is the lost days', () => {
    const discharge = {
      type: 'discharge',
      at: day(7),
      date: date(6),
      destination: 'usual-residence',
    } as PathwayCommand;
    const assess = assessment('P0', [], day(3));
    const events = timeline([start(), drd(2), assess, discharge]);
    const rows = dayRows('pathway-A1', events, '2026-05-01');
    expect(rows.map((r) => r.day)).toEqual([date(2), date(3), date(4), date(5)]);
    expect(rows.filter((r) => r.bedDayLost)).toHaveLength(
      pathwayRow('pathway-A1', foldTimeline(events), '2026-05-01')!.bedDaysLost,
    );
  });

  it('a cancelled stay ends the day before it closed; a pathway without a DRD has no days', () => {
    expect(
      dayRows(
        'pathway-A1',
        timeline([start(), drd(3), { type: 'cancel', at: day(5), reason: 'died' } as PathwayCommand]),
        '2026-05-01',
      ).map((r) => r.day),
    ).toEqual([date(3), date(4)]);
    expect(dayRows('pathway-A1', timeline([start()]), date(9))).toEqual([]);
  });
});
