import { describe, expect, it } from 'vitest';
import { delayBand, delaySummary, evolve, initialState } from '../../domain';
import { isValidNhsNumber, NhsNumber } from '../../schemas/common';
import { p1ReadyForDischarge, started } from './events';
import { date, day, given, givenFrom, givenRules1, rules2, rules3, start } from './spec';

describe('starting a pathway', () => {
  it('records pathway.started with the pathway id from the admission id', () => {
    given()
      .when(start())
      .then({
        type: 'pathway.started',
        pathwayId: 'pathway-A1',
        admissionId: 'A1',
        site: 'LEEDS-GEN',
        region: 'england',
      });
  });

  it('rejects a second start of the same pathway', () => {
    given(started()).when(start()).thenRejects('duplicate');
  });

  it('rejects any other command before the pathway has started', () => {
    given()
      .when({ type: 'discharge-ready', at: day(2), date: date(2) })
      .thenRejects('not_started');
  });

  it('rejects an expected discharge date before admission', () => {
    given()
      .when(start({ expectedDischargeDate: '2026-02-20' }))
      .thenRejects('invalid', /expectedDischargeDate/);
  });

  it('records the rules the pathway runs under, so every fold of its events knows them; a start from before them says none (rules 1)', () => {
    const [started6] = given().when(start()).then({ type: 'pathway.started', rules: 6 });
    expect(evolve(initialState, started6).rules).toBe(6);
    const [started5] = givenFrom({ ...initialState, rules: 5 })
      .when(start())
      .then({ type: 'pathway.started', rules: 5 });
    expect(evolve(initialState, started5).rules).toBe(5);
    const [started4] = givenFrom({ ...initialState, rules: 4 })
      .when(start())
      .then({ type: 'pathway.started', rules: 4 });
    expect(evolve(initialState, started4).rules).toBe(4);
    const [started3] = givenFrom(rules3).when(start()).then({ type: 'pathway.started', rules: 3 });
    expect(evolve(initialState, started3).rules).toBe(3);
    const [started2] = givenFrom(rules2).when(start()).then({ type: 'pathway.started', rules: 2 });
    expect(evolve(initialState, started2).rules).toBe(2);
    const [older] = givenRules1().when(start()).events();
    expect(older).not.toHaveProperty('rules');
    expect(evolve(initialState, older).rules).toBe(1);
  });

  it('keeps the link to the pathway whose readmission started this one', () => {
    expect(evolve(initialState, started({ previousPathwayId: 'pathway-A0' })).previousPathwayId).toBe('pathway-A0');
  });
});

describe('expected discharge date (EDD)', () => {
  it('can be set and changed before discharge', () => {
    given(started())
      .when({ type: 'expected-discharge-date', at: day(2), date: date(6) })
      .then({ type: 'edd.set', at: day(2), date: date(6) });
    const changed = given(started({ expectedDischargeDate: date(6) }), { type: 'edd.set', at: day(3), date: date(8) });
    expect(changed.state().edd).toBe(date(8));
  });
});

describe('admitted, no discharge ready date yet', () => {
  it('a DRD moves the pathway to assessment', () => {
    const [recorded] = given(started())
      .when({ type: 'discharge-ready', at: day(3), date: date(3) })
      .then({ type: 'discharge_ready.recorded', at: day(3), date: date(3) });
    expect(recorded).not.toHaveProperty('countsFrom');
    expect(evolve(given(started()).state(), recorded).stage).toBe('assessment');
  });

  it('a DRD cannot be before admission', () => {
    given(started())
      .when({ type: 'discharge-ready', at: day(3), date: '2026-02-27' })
      .thenRejects('invalid', /before admission/);
  });

  it('criteria-to-reside-met needs a DRD', () => {
    given(started())
      .when({ type: 'criteria-to-reside-met', at: day(5) })
      .thenRejects('not_allowed_in_stage', /no discharge ready date/);
  });
});

describe('assessment: a DRD set, no plan yet', () => {
  const drdOn3rd = [started(), { type: 'discharge_ready.recorded' as const, at: day(3), date: date(3) }];

  it('a second DRD needs the criteria to reside met in between', () => {
    given(...drdOn3rd)
      .when({ type: 'discharge-ready', at: day(4), date: date(4) })
      .thenRejects('duplicate', /criteria-to-reside-met/);
  });

  it('criteria-to-reside-met clears the DRD, keeping the delay days so far, and the pathway is admitted again', () => {
    const [cleared] = given(...drdOn3rd)
      .when({ type: 'criteria-to-reside-met', at: day(5) })
      .then({ type: 'discharge_ready.cleared', at: day(5), date: date(3), clearedOn: date(5), delayDays: 2 });
    const state = evolve(given(...drdOn3rd).state(), cleared);
    expect(state.drd).toBeUndefined();
    expect(state.stage).toBe('admitted');
    expect(state.drdEpisodes).toEqual([{ from: date(3), clearedOn: date(5), delayDays: 2 }]);
  });

  it('counts days delayed from the DRD to today while in hospital, never negative', () => {
    const state = given(started(), { type: 'discharge_ready.recorded', at: day(3), date: date(5) }).state();
    expect(delaySummary(state, date(4)).daysDelayed).toBe(0);
    expect(delaySummary(state, date(12)).daysDelayed).toBe(7);
    expect(delaySummary(state, date(12)).band).toBe('7-13');
  });

  it('a stay closed while delayed (the patient died) is no longer delayed now', () => {
    const delayed = [started(), { type: 'discharge_ready.recorded' as const, at: day(3), date: date(5) }];
    expect(delaySummary(given(...delayed).state(), date(8)).delayedNow).toBe(true);
    const closed = given(...delayed, { type: 'pathway.cancelled', at: day(9), reason: 'died' }).state();
    expect(delaySummary(closed, date(12)).delayedNow).toBe(false);
  });
});

describe('admitted again: the DRD was cleared when the patient met the criteria to reside again', () => {
  const clearedOn5th = [
    started(),
    { type: 'discharge_ready.recorded' as const, at: day(3), date: date(3) },
    { type: 'discharge_ready.cleared' as const, at: day(5), date: date(3), clearedOn: date(5), delayDays: 2 },
  ];

  it('a new DRD can be set later; bed-days lost include the earlier episode', () => {
    const [recorded] = given(...clearedOn5th)
      .when({ type: 'discharge-ready', at: day(8), date: date(8) })
      .then({ type: 'discharge_ready.recorded', at: day(8), date: date(8) });
    const summary = delaySummary(evolve(given(...clearedOn5th).state(), recorded), date(11));
    expect(summary).toMatchObject({ drd: date(8), daysDelayed: 3, priorDelayDays: 2, bedDaysLost: 5 });
  });

  it('a new DRD on the day the last was cleared counts no day twice', () => {
    given(...clearedOn5th)
      .when({ type: 'discharge-ready', at: day(5, '18:00:00'), date: date(5) })
      .then({ type: 'discharge_ready.recorded', date: date(5) });
  });

  it('a new DRD dated before the day the last was cleared is rejected, naming the dates: its days would be counted twice', () => {
    given(...clearedOn5th)
      .when({ type: 'discharge-ready', at: day(6), date: date(4) })
      .thenRejects(
        'invalid',
        /^date: the discharge ready date 2026-03-04 is before 2026-03-05, when the previous one \(2026-03-03\) was cleared/,
      );
  });

  it('a P0 plan agreed now does not make the patient ready for discharge: they meet the criteria to reside', () => {
    const [completed] = given(...clearedOn5th)
      .when({
        type: 'assessment',
        at: day(6),
        participants: [{ role: 'nurse' }, { role: 'patient' }],
        agreement: { patient: 'agrees' },
        pathway: 'P0',
        needs: [],
        consents: [],
      })
      .then({ type: 'assessment.completed', at: day(6), pathway: 'P0', needs: [], replan: false });
    expect(completed).not.toHaveProperty('daysFromDischargeReady');
    const planned = [...clearedOn5th, completed];
    given(...planned)
      .when({ type: 'discharge-ready', at: day(7), date: date(7) })
      .then(
        { type: 'discharge_ready.recorded', at: day(7), date: date(7) },
        { type: 'pathway.ready_for_discharge', at: day(7) },
      );
  });

  it('under rules 2 (pathways started before this rule) the earlier date is still taken, as recorded histories did', () => {
    givenFrom(rules2, ...clearedOn5th.map((e) => (e.type === 'pathway.started' ? started({ rules: 2 }) : e)))
      .when({ type: 'discharge-ready', at: day(6), date: date(4) })
      .then({ type: 'discharge_ready.recorded', date: date(4) });
  });
});

describe('arranging: a plan agreed, its package not in place yet', () => {
  const arranging = p1ReadyForDischarge().slice(0, 5);

  it('criteria-to-reside-met clears the DRD and the pathway stays arranging', () => {
    const cleared = given(...arranging)
      .when({ type: 'criteria-to-reside-met', at: day(6) })
      .then({ type: 'discharge_ready.cleared', at: day(6), date: date(3), clearedOn: date(6), delayDays: 3 });
    expect(given(...arranging, ...cleared).state().stage).toBe('arranging');
  });

  it('after it, the package coming into place does not make the patient ready for discharge: they meet the criteria to reside', () => {
    const cleared = {
      type: 'discharge_ready.cleared' as const,
      at: day(6),
      date: date(3),
      clearedOn: date(6),
      delayDays: 3,
    };
    given(...arranging, cleared)
      .when({
        type: 'referral-response',
        at: day(7),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        response: 'ready',
        readyFrom: date(8),
      })
      .then({
        type: 'referral.ready',
        at: day(7),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        readyFrom: date(8),
      });
  });
});

describe('ready_for_discharge: every package in place', () => {
  const ready = p1ReadyForDischarge();
  const clearedOn7th = {
    type: 'discharge_ready.cleared' as const,
    at: day(7),
    date: date(3),
    clearedOn: date(7),
    delayDays: 4,
  };

  it('criteria-to-reside-met clears the DRD and the pathway is no longer ready for discharge', () => {
    given(...ready)
      .when({ type: 'criteria-to-reside-met', at: day(7) })
      .then(clearedOn7th);
    expect(given(...ready, clearedOn7th).state().stage).toBe('arranging');
  });

  it('a discharge after it is refused: the patient meets the criteria to reside', () => {
    given(...ready, clearedOn7th)
      .when({ type: 'discharge', at: day(8), date: date(8), destination: 'usual-residence' })
      .thenRejects(
        'not_allowed_in_stage',
        /^discharge is not allowed in stage arranging: the patient meets the criteria to reside again \(the discharge ready date 2026-03-03 was cleared on 2026-03-07\)/,
      );
  });

  it('a new DRD makes the pathway ready again, and the discharge counts both episodes', () => {
    given(...ready, clearedOn7th)
      .when({ type: 'discharge-ready', at: day(9), date: date(9) })
      .then(
        { type: 'discharge_ready.recorded', at: day(9), date: date(9) },
        { type: 'pathway.ready_for_discharge', at: day(9) },
      );
    given(
      ...ready,
      clearedOn7th,
      { type: 'discharge_ready.recorded', at: day(9), date: date(9) },
      { type: 'pathway.ready_for_discharge', at: day(9) },
    )
      .when({ type: 'discharge', at: day(11), date: date(11), destination: 'usual-residence' })
      .then(
        {
          type: 'discharge.recorded',
          at: day(11),
          date: date(11),
          destination: 'usual-residence',
          pathway: 'P1',
          daysDelayed: 2,
          bedDaysLost: 6,
        },
        { type: 'readmission_watch.started', at: day(11), from: date(11), until: '2026-04-10' },
        {
          type: 'intermediate_care.started',
          at: day(11),
          startDate: date(11),
          services: ['reablement'],
          endBy: '2026-04-22',
          firstReviewDue: date(18),
        },
      );
  });

  it('under rules 2 (pathways started before this rule) the stage stays ready, as recorded histories did', () => {
    const ready2 = p1ReadyForDischarge(2);
    expect(givenFrom(rules2, ...ready2, clearedOn7th).state().stage).toBe('ready_for_discharge');
    givenFrom(rules2, ...ready2, clearedOn7th)
      .when({ type: 'discharge', at: day(8), date: date(8), destination: 'usual-residence' })
      .then(
        { type: 'discharge.recorded', daysDelayed: 0, bedDaysLost: 4 },
        { type: 'readmission_watch.started', from: date(8) },
        { type: 'intermediate_care.started', startDate: date(8), endBy: '2026-04-19' },
      );
  });
});

describe('delay maths', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [2, '2-3'],
    [3, '2-3'],
    [4, '4-6'],
    [6, '4-6'],
    [7, '7-13'],
    [13, '7-13'],
    [14, '14-20'],
    [20, '14-20'],
    [21, '21+'],
    [90, '21+'],
  ])('%i days delayed is band %s', (days, band) => {
    expect(delayBand(days)).toBe(band);
  });

  it('fixes days delayed at the discharge date', () => {
    const p0Ready = [
      started(),
      { type: 'discharge_ready.recorded' as const, at: day(2), date: date(2) },
      {
        type: 'assessment.completed' as const,
        at: day(3),
        pathway: 'P0' as const,
        participants: ['nurse' as const, 'social_worker' as const, 'patient' as const],
        needs: [],
        replan: false,
        daysFromDischargeReady: 1,
      },
      { type: 'pathway.ready_for_discharge' as const, at: day(3) },
    ];
    const [discharged] = given(...p0Ready)
      .when({ type: 'discharge', at: day(6), date: date(6), destination: 'usual-residence' })
      .then(
        { type: 'discharge.recorded', date: date(6), pathway: 'P0', daysDelayed: 4, bedDaysLost: 4 },
        { type: 'readmission_watch.started' },
      );
    expect(delaySummary(evolve(given(...p0Ready).state(), discharged), date(20)).daysDelayed).toBe(4);
  });
});

describe('NHS number', () => {
  it('accepts a number whose modulus-11 check digit is right, with or without spaces', () => {
    expect(isValidNhsNumber('9434765870')).toBe(true);
    expect(NhsNumber.parse('943 476 5870')).toBe('9434765870');
  });

  it('rejects a wrong check digit, wrong length, letters, and prefixes whose check digit would be 10', () => {
    expect(isValidNhsNumber('9434765871')).toBe(false);
    expect(isValidNhsNumber('943476587')).toBe(false);
    expect(isValidNhsNumber('94347658700')).toBe(false);
    expect(isValidNhsNumber('94347658X0')).toBe(false);
    // 000000006x: weights give sum 12, 11 - 1 = 10, which no check digit can be.
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`000000006${d}`)).toBe(false);
  });

  it('never echoes the number in its error message', () => {
    const result = NhsNumber.safeParse('9434765871');
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('9434765871');
  });
});
