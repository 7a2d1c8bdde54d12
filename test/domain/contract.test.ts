import { describe, expect, it } from 'vitest';
import {
  CommandRejected,
  decide,
  defaultPolicy,
  delaySummary,
  evolve,
  initialState,
  resolvePolicy,
  type PathwayState,
} from '../../domain';
import { commandSchemas, PathwayCommand } from '../../schemas/commands';
import { IsoDate, IsoTimestamp, NhsNumber, Patient, serviceAgency } from '../../schemas/common';
import { PathwayEvent } from '../../schemas/events';
import { admission } from '../support/fixtures';
import { assessment, date, day, given, history, rules3, start } from './spec';

const assess = (pathway: 'P0' | 'P1' | 'P2' | 'P3', needs: string[], at = day(3)): PathwayCommand =>
  assessment(pathway, needs, at);

/** A P1 pathway from admission to handback: every kind of event along the way. */
const lifecycle = (): PathwayCommand[] => [
  start(),
  { type: 'expected-discharge-date', at: day(1), date: date(6) },
  { type: 'discharge-ready', at: day(2), date: date(2) },
  { type: 'delay-reason', at: day(2), code: 'awaiting_transport', agency: 'acute-trust', note: 'ambulance booked' },
  assess('P1', ['reablement', 'equipment']),
  { type: 'tick', at: '2026-03-04T10:00:00.000Z' },
  { type: 'referral-response', at: day(4), referralId: 'ref-1', agency: 'intermediate-care', response: 'ready' },
  { type: 'referral-response', at: day(4), referralId: 'ref-2', agency: 'equipment', response: 'accepted' },
  {
    type: 'referral-response',
    at: day(5),
    referralId: 'ref-2',
    agency: 'equipment',
    response: 'ready',
    readyFrom: date(5),
  },
  { type: 'delay-reason-resolved', at: day(5), code: 'awaiting_transport', agency: 'acute-trust' },
  { type: 'discharge', at: day(6), date: date(6), destination: 'usual-residence' },
  { type: 'tick', at: '2026-03-14T00:00:00.000Z' },
  { type: 'review', at: day(20), outcome: 'goals_met', goals: ['make tea'], notes: 'walking well' },
  { type: 'tick', at: '2026-04-05T00:00:00.000Z' },
];

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
};

describe('command schemas', () => {
  it('PathwayCommand is a zod union on type that takes every command the decider knows', () => {
    for (const command of lifecycle()) expect(PathwayCommand.safeParse(command).success, command.type).toBe(true);
    expect(PathwayCommand.safeParse({ type: 'tick', at: day(1) }).success).toBe(true);
  });

  it('rejects an unknown command type and names the bad field', () => {
    expect(PathwayCommand.safeParse({ type: 'teleport', at: day(1) }).success).toBe(false);
    const bad = PathwayCommand.safeParse({ type: 'discharge-ready', at: day(1), date: '2026-02-30' });
    expect(bad.error?.issues[0].path).toEqual(['date']);
  });

  it('commandSchemas maps every URL command name to its payload, without start, tick, type or at', () => {
    expect(Object.keys(commandSchemas).sort()).toEqual(
      [
        'expected-discharge-date',
        'discharge-ready',
        'criteria-to-reside-met',
        'assessment',
        'consent',
        'carer',
        'capacity',
        'housing-status',
        'referral',
        'referral-response',
        'delay-reason',
        'delay-reason-resolved',
        'discharge',
        'review',
        'readmission',
        'emergency-attendance',
        'lead-professional',
        'extend-episode',
        'funding',
        'cancel',
        'episode-review',
        'transition-plan',
        'funding-decision',
        'support-started',
        'support-not-started',
        'housing-outcome',
        'start-date-moved',
        'carer-access',
        'carer-access-revoked',
        'accessible-information',
      ].sort(),
    );
    expect(commandSchemas['discharge-ready'].parse({ date: date(3) })).toEqual({ date: date(3) });
    // A payload names no type or time of its own (the transport stamps them), and no unknown field.
    const refused = commandSchemas['discharge-ready'].safeParse({ date: date(3), type: 'x', at: 'y' });
    expect(refused.error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['type', 'at'] }),
    ]);
  });

  it('defaults: assessment needs and consents are empty, a readmission is an emergency', () => {
    expect(commandSchemas.assessment.parse({ participants: [{ role: 'nurse' }], pathway: 'P0' })).toMatchObject({
      needs: [],
      consents: [],
    });
    expect(commandSchemas.readmission.parse({ newAdmissionId: 'A2', admittedOn: date(9) }).emergency).toBe(true);
  });
});

describe('common schemas', () => {
  it('IsoDate takes only real calendar dates', () => {
    expect(IsoDate.safeParse('2028-02-29').success).toBe(true);
    expect(IsoDate.safeParse('2026-02-29').success).toBe(false);
    expect(IsoDate.safeParse('2026-13-01').success).toBe(false);
    expect(IsoDate.safeParse('1/3/2026').success).toBe(false);
  });

  it('IsoTimestamp needs a full ISO-8601 instant', () => {
    expect(IsoTimestamp.safeParse('2026-03-01T10:00:00Z').success).toBe(true);
    expect(IsoTimestamp.safeParse('2026-03-01T10:00:00+01:00').success).toBe(true);
    expect(IsoTimestamp.safeParse('2026-03-01').success).toBe(false);
  });

  it('a patient is settled unless said otherwise; a bad NHS number is reported on its field without the value', () => {
    const patient = {
      nhsNumber: '9434765870',
      name: 'Ada Example',
      dateOfBirth: '1940-01-01',
      address: { line1: '1 Road', town: 'Leeds', postcode: 'LS1 4AP' },
    };
    expect(Patient.parse(patient).housingStatus).toBe('settled');
    const bad = Patient.safeParse({ ...patient, nhsNumber: '9434765879' });
    expect(bad.error?.issues[0].path).toEqual(['nhsNumber']);
    expect(bad.error?.issues[0].message).toMatch(/NHS number/);
    expect(JSON.stringify(bad.error?.issues)).not.toContain('9434765879');
    expect(NhsNumber.safeParse('4010232137').success).toBe(true);
  });

  it('each service goes to the agency that provides it', () => {
    expect(serviceAgency).toMatchObject({
      'domiciliary-care': 'social-care',
      reablement: 'intermediate-care',
      'minor-adaptations': 'equipment',
      'major-adaptations': 'housing',
      'step-down-bed': 'intermediate-care',
      'care-home-placement': 'care-home',
      'home-from-hospital': 'voluntary',
      'chc-assessment': 'community-health',
    });
  });
});

describe('events are the source of truth', () => {
  it('every event the decider produces over a whole pathway is valid against PathwayEvent', () => {
    const events = history(lifecycle());
    expect(events.at(-1)?.type).toBe('pathway.handed_back');
    for (const event of events) {
      const parsed = PathwayEvent.safeParse(event);
      expect(parsed.success, `${event.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('the state is plain JSON: it survives a round trip (continue-as-new) and so do the events', () => {
    const events = history(lifecycle().slice(0, 11));
    const state = events.reduce(evolve, initialState);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const replayed = (JSON.parse(JSON.stringify(events)) as PathwayEvent[]).reduce(evolve, initialState);
    expect(replayed).toEqual(state);
  });

  it('decide is deterministic and never mutates the state it is given', () => {
    const events = history(lifecycle().slice(0, 5));
    const state = deepFreeze(events.reduce(evolve, initialState) as PathwayState);
    const tick: PathwayCommand = { type: 'tick', at: '2026-03-07T10:00:00.000Z' };
    const policy = deepFreeze(resolvePolicy('england'));
    // Both packages requested on the 3rd at 10:00, due for acceptance a day later: on the 7th the fourth daily escalation is due.
    const due = (referralId: string, agency: string) => ({
      type: 'referral.escalated',
      at: '2026-03-07T10:00:00.000Z',
      referralId,
      agency,
      kind: 'acceptance',
      level: 4,
      overdueSince: '2026-03-04T10:00:00.000Z',
    });
    const expected = [due('ref-1', 'intermediate-care'), due('ref-2', 'equipment')];
    expect(decide(tick, state, policy)).toEqual(expected);
    expect(decide(tick, state, policy)).toEqual(expected);
  });

  it('evolve never mutates the state it is given', () => {
    const events = history(lifecycle());
    let state = deepFreeze(initialState);
    for (const event of events) state = deepFreeze(evolve(state, event));
    expect(state.stage).toBe('handed_back');
  });
});

describe('rejections', () => {
  const patient = {
    ...admission().patient,
    nhsNumber: '9434765870',
    name: 'Zebedee Quartermain',
    address: { line1: '7 Larkspur Way', town: 'Otley', postcode: 'LS21 3QQ' },
  };
  const started = history([start({ patient })]);

  it('are CommandRejected errors whose reason is the message', () => {
    const error = given(...started)
      .when({ type: 'criteria-to-reside-met', at: day(2) })
      .thenRejects('not_allowed_in_stage');
    expect(error).toBeInstanceOf(Error);
    expect(error.reason).toBe(error.message);
  });

  it.each<[string, PathwayCommand]>([
    ['second start', start({ patient })],
    ['discharge too early', { type: 'discharge', at: day(2), date: date(2), destination: 'usual-residence' }],
    ['review before discharge', { type: 'review', at: day(2), outcome: 'continue', goals: [] }],
    [
      'unknown referral',
      { type: 'referral-response', at: day(2), referralId: 'ref-7', agency: 'housing', response: 'accepted' },
    ],
    [
      'bad assessment',
      {
        type: 'assessment',
        at: day(2),
        participants: [{ role: 'patient' }],
        pathway: 'P1',
        needs: ['reablement'],
        consents: [],
      },
    ],
    [
      'readmission before discharge',
      { type: 'readmission', at: day(2), newAdmissionId: 'A2', admittedOn: date(2), emergency: true },
    ],
  ])('never carry personal data (%s)', (_case, command) => {
    let caught: unknown;
    try {
      decide(command, started.reduce(evolve, initialState), resolvePolicy('england'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CommandRejected);
    const text = `${(caught as CommandRejected).message} ${(caught as CommandRejected).reason}`;
    for (const secret of ['9434765870', 'Zebedee', 'Quartermain', 'Larkspur', 'LS21', '1938-04-02'])
      expect(text).not.toContain(secret);
  });

  it.each<[string, PathwayCommand]>([
    ['expected-discharge-date', { type: 'expected-discharge-date', at: day(1), date: date(5) }],
    ['assessment', assess('P0', [])],
    ['consent', { type: 'consent', at: day(1), agency: 'housing', given: true }],
    ['tick', { type: 'tick', at: day(1) }],
    ['cancel', { type: 'cancel', at: day(1), reason: 'other' }],
  ])('before the pathway starts, %s is rejected', (_name, command) => {
    given()
      .when(command)
      .thenRejects('not_started', /has not started/);
  });

  it('a command the stage does not allow names the stage', () => {
    given(...history([start(), assess('P1', ['reablement'])]))
      .when({ type: 'review', at: day(4), outcome: 'continue', goals: [] })
      .thenRejects('not_allowed_in_stage', /stage is arranging/);
    // Under rules 3, where nothing is answered after a P0 discharge (rules 4 answer its welfare check: safe-for-the-patient.test.ts).
    const discharged = history(
      [start(), assess('P0', []), { type: 'discharge', at: day(4), date: date(4), destination: 'usual-residence' }],
      resolvePolicy('england'),
      rules3,
    );
    given(...discharged)
      .when({ type: 'expected-discharge-date', at: day(5), date: date(6) })
      .thenRejects('not_allowed_in_stage', /stage readmission_watch/);
    given(...discharged)
      .when({ type: 'referral-response', at: day(5), referralId: 'ref-1', agency: 'equipment', response: 'ready' })
      .thenRejects('not_allowed_in_stage', /stage readmission_watch/);
  });
});

describe('policy', () => {
  it('England defaults', () => {
    const policy = defaultPolicy('england');
    expect(policy).toMatchObject({
      intermediateCareMaxDays: 42,
      readmissionWatchDays: 30,
      reviewIntervalDays: 7,
      bedBasedStartWithinDays: 2,
      escalationRepeatHours: 24,
      delayAllowanceDays: 0,
    });
    expect(policy.sla['social-care']).toEqual({ acceptWithinHours: 48, readyWithinHours: 72 });
    expect(policy.sla.equipment).toEqual({ acceptWithinHours: 24, readyWithinHours: 48 });
    expect(policy.sla.housing).toEqual({ acceptWithinHours: 72, readyWithinHours: 336 });
  });

  it('overrides merge deeply and never change the defaults', () => {
    const policy = resolvePolicy('england', { escalationRepeatHours: 12, sla: { housing: { acceptWithinHours: 24 } } });
    expect(policy.escalationRepeatHours).toBe(12);
    expect(policy.sla.housing).toEqual({ acceptWithinHours: 24, readyWithinHours: 336 });
    expect(policy.sla.equipment).toEqual({ acceptWithinHours: 24, readyWithinHours: 48 });
    expect(resolvePolicy('england').sla.housing.acceptWithinHours).toBe(72);
  });

  it('invalid overrides are refused naming the setting', () => {
    expect(() => resolvePolicy('england', { sla: { equipment: { acceptWithinHours: -1 } } })).toThrow(
      /sla\.equipment\.acceptWithinHours/,
    );
    expect(() => resolvePolicy('england', { readmissionWatchDay: 30 })).toThrow(/readmissionWatchDay/);
    expect(() => resolvePolicy('england', { sla: { hospice: { acceptWithinHours: 1 } } })).toThrow(/sla/);
  });

  it('Scotland: delay starts counting after a 3-day planning allowance from the DRD', () => {
    const scotland = resolvePolicy('scotland');
    const commands: PathwayCommand[] = [
      start({ region: 'scotland' }),
      { type: 'discharge-ready', at: day(2), date: date(2) },
      assess('P0', []),
      { type: 'discharge', at: day(7), date: date(7), destination: 'usual-residence' },
    ];
    const events = history(commands, scotland);
    expect(events.find((e) => e.type === 'discharge_ready.recorded')).toMatchObject({
      date: date(2),
      countsFrom: date(5),
    });
    expect(events.find((e) => e.type === 'discharge.recorded')).toMatchObject({ daysDelayed: 2, bedDaysLost: 2 });
    expect(history(commands).find((e) => e.type === 'discharge.recorded')).toMatchObject({ daysDelayed: 5 });
    const inHospital = given(...history(commands.slice(0, 3), scotland)).state();
    expect(delaySummary(inHospital, date(4)).daysDelayed).toBe(0);
    expect(delaySummary(inHospital, date(6)).daysDelayed).toBe(1);
  });

  it('Wales front-loads reablement: intermediate care must be ready within 24 hours of the acceptance deadline', () => {
    const wales = resolvePolicy('wales');
    const events = history([start(), assess('P1', ['reablement'])], wales);
    // Assessed on the 3rd at 10:00: accept by the 4th at 10:00, ready 24 hours after that.
    given(...events)
      .when(
        {
          type: 'referral-response',
          at: day(3, '12:00:00'),
          referralId: 'ref-1',
          agency: 'intermediate-care',
          response: 'accepted',
        },
        wales,
      )
      .then({ type: 'referral.accepted', readyBy: '2026-03-05T10:00:00.000Z' });
  });
});
