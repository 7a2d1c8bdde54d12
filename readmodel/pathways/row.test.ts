import { describe, expect, it } from 'vitest';
import { resolvePolicy, type Policy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { assessment, date, day, history, start } from '../../test/domain/spec';
import type { RecordedPathwayEvent } from '../../workflows/definitions';
import { foldTimeline, pathwayRow } from './row';

// Given events, then the managers' row: pure and fast, like the domain's own specs.
const recorded = (events: PathwayEvent[]): RecordedPathwayEvent[] =>
  events.map((event, i) => ({ sequence: i + 1, event }));
const rowOf = (commands: PathwayCommand[], today: string, policy: Policy = resolvePolicy('england')) =>
  pathwayRow('pathway-A1', foldTimeline(recorded(history(commands, policy))), today)!;
const assess = (pathway: 'P0' | 'P1' | 'P2' | 'P3', needs: string[], at = day(4)): PathwayCommand =>
  assessment(pathway, needs, at);
const drd = (n: number, at = day(n)): PathwayCommand => ({ type: 'discharge-ready', at, date: date(n) });

describe('the pathways row', () => {
  it('an open, delayed pathway: stage, plan, delay as of today, reasons explicit and derived with their agencies', () => {
    const row = rowOf(
      [
        start(),
        drd(3),
        assess('P1', ['reablement', 'equipment']),
        { type: 'delay-reason', at: day(5), code: 'awaiting_transport', agency: 'acute-trust' },
      ],
      date(10),
    );
    expect(row).toMatchObject({
      status: 'open',
      stage: 'arranging',
      pathway: 'P1',
      site: 'LEEDS-GEN',
      localAuthority: 'Leeds',
      drd: date(3),
      delayCountsFrom: date(3),
      daysDelayed: 7,
      bedDaysLost: 7,
      delayBand: '7-13',
      delayAsOf: date(10),
      reasonCodes: ['awaiting_equipment_adaptations', 'awaiting_p1_resource', 'awaiting_transport'],
      reasonAgencies: ['acute-trust', 'equipment', 'intermediate-care'],
      awaitingAgencies: ['equipment', 'intermediate-care'],
      referralAgencies: ['equipment', 'intermediate-care'],
      stuckSince: null,
      lastSequence: 6,
      eventCount: 6,
      lastEventAt: day(5),
    });
    expect(row.reasons.find((r) => r.code === 'awaiting_transport')).toEqual({
      code: 'awaiting_transport',
      agency: 'acute-trust',
      waitingOn: 'agency',
      since: day(5),
      derived: false,
    });
  });

  it('bed-days lost include an earlier DRD episode ended by criteria-to-reside-met (the report said 0)', () => {
    const row = rowOf([start(), drd(2), { type: 'criteria-to-reside-met', at: day(7) }, drd(10)], date(10));
    expect(row).toMatchObject({ drd: date(10), daysDelayed: 0, priorDelayDays: 5, bedDaysLost: 5, delayBand: '0' });
  });

  it("Scotland's planning allowance: delay counts from countsFrom, not the DRD", () => {
    const row = rowOf([start({ region: 'scotland' }), drd(3)], date(10), resolvePolicy('scotland'));
    expect(row).toMatchObject({
      region: 'scotland',
      drd: date(3),
      delayCountsFrom: date(6),
      daysDelayed: 4,
      bedDaysLost: 4,
      delayBand: '4-6',
    });
  });

  it('a discharged pathway keeps the delay it was discharged with, whatever today is', () => {
    const commands = [
      start(),
      drd(2),
      assess('P0', []),
      { type: 'discharge', at: day(6), date: date(6), destination: 'usual-residence' } as PathwayCommand,
    ];
    for (const today of [date(6), '2026-05-01']) {
      expect(rowOf(commands, today)).toMatchObject({
        status: 'open',
        stage: 'readmission_watch',
        dischargeDate: date(6),
        destination: 'usual-residence',
        daysDelayed: 4,
        bedDaysLost: 4,
        reasonCodes: [],
      });
    }
  });

  it('a readmission closes the pathway, linked to the new stay', () => {
    const row = rowOf(
      [
        start(),
        drd(2),
        assess('P0', []),
        { type: 'discharge', at: day(4), date: date(4), destination: 'usual-residence' },
        { type: 'readmission', at: day(20), newAdmissionId: 'A2', admittedOn: date(20), emergency: true },
      ] as PathwayCommand[],
      '2026-05-01',
    );
    expect(row).toMatchObject({
      status: 'closed',
      stage: 'readmitted',
      outcome: 'readmitted',
      closedAt: day(20),
      linkedPathwayId: 'pathway-A2',
      bedDaysLost: 2,
    });
  });

  it('a cancellation closes the pathway and stops its delay on the day it closed', () => {
    const row = rowOf(
      [start(), drd(3), { type: 'cancel', at: day(6), reason: 'died' }] as PathwayCommand[],
      '2026-05-01',
    );
    expect(row).toMatchObject({
      status: 'closed',
      stage: 'cancelled',
      outcomeDetail: 'died',
      delayAsOf: date(6),
      daysDelayed: 3,
      bedDaysLost: 3,
      reasonCodes: [],
      stuckSince: null,
    });
  });

  it('stuck since the earliest missed referral deadline, from the escalation the timer recorded', () => {
    const assessed = history([start(), drd(2), assess('P1', ['reablement'], day(2))]);
    const acceptBy = (assessed.at(-1) as { acceptBy: string }).acceptBy;
    const escalated = [
      ...assessed,
      ...history([start(), drd(2), assess('P1', ['reablement'], day(2)), { type: 'tick', at: day(5) }]).slice(
        assessed.length,
      ),
    ];
    const row = pathwayRow('pathway-A1', foldTimeline(recorded(escalated)), date(5))!;
    expect(row.stuckSince).toBe(acceptBy);
    expect(row.overdueSince).toBe(acceptBy);
  });
});

describe('folding events exactly once', () => {
  const events = recorded(history([start(), drd(3), assess('P0', [])]));

  it('the same event twice counts once', () => {
    const folded = foldTimeline([events[0], events[1], ...events, events[2], events[0]]);
    expect(folded.applied.map((e) => e.sequence)).toEqual(events.map((e) => e.sequence));
    expect(pathwayRow('pathway-A1', folded, date(5))).toEqual(pathwayRow('pathway-A1', foldTimeline(events), date(5)));
  });

  it('a gap waits for the missing event; events out of order are put in order', () => {
    expect(foldTimeline([events[0], events[2]]).applied.map((e) => e.sequence)).toEqual([1]);
    expect(foldTimeline([events[2], events[0], events[1]]).applied.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(pathwayRow('pathway-A1', foldTimeline([events[1]]), date(5))).toBeUndefined();
  });
  it('a reason waiting on the patient or family is attributed to them, not to an agency', () => {
    // A voluntary organisation needs the patient's consent (a direct-care agency would not, under rules 4).
    const row = rowOf([start({ consents: [] }), drd(2), assess('P1', ['home-from-hospital'], day(3))], date(6));
    expect(row.reasonCodes).toEqual(['awaiting_p1_resource', 'consent_required']);
    expect(row.reasonAgencies).toEqual(['patient', 'voluntary']);
    expect(row.awaitingAgencies).toEqual(['voluntary']);
  });
});
