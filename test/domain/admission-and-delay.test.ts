import { describe, expect, it } from 'vitest';
import { delayBand, delaySummary, evolve, initialState } from '../../domain';
import { isValidNhsNumber, NhsNumber } from '../../schemas/common';
import { date, day, given, givenRules1, history, patientAgrees, professionalAndPatient, start } from './spec';

describe('starting a pathway', () => {
  it('records pathway.started with the pathway id from the admission id', () => {
    given().when(start()).then({ type: 'pathway.started', pathwayId: 'pathway-A1', admissionId: 'A1', site: 'LEEDS-GEN', region: 'england' });
  });

  it('rejects a second start of the same pathway', () => {
    given(...history([start()])).when(start()).thenRejects('duplicate');
  });

  it('rejects any other command before the pathway has started', () => {
    given().when({ type: 'discharge-ready', at: day(2), date: date(2) }).thenRejects('not_started');
  });

  it('rejects an expected discharge date before admission', () => {
    given().when(start({ expectedDischargeDate: '2026-02-20' })).thenRejects('invalid', /expectedDischargeDate/);
  });

  it('records the rules the pathway runs under, so every fold of its events knows them; a start from before them says none (rules 1)', () => {
    const [started] = given().when(start()).then({ type: 'pathway.started', rules: 2 });
    expect(evolve(initialState, started).rules).toBe(2);
    const [older] = givenRules1().when(start()).events();
    expect(older).not.toHaveProperty('rules');
    expect(evolve(initialState, older).rules).toBe(1);
  });

  it('keeps the link to the pathway whose readmission started this one', () => {
    const [started] = history([start({ previousPathwayId: 'pathway-A0' })]);
    expect(evolve(initialState, started).previousPathwayId).toBe('pathway-A0');
  });
});

describe('expected discharge date (EDD)', () => {
  it('can be set and changed before discharge', () => {
    const events = history([start(), { type: 'expected-discharge-date', at: day(2), date: date(6) }, { type: 'expected-discharge-date', at: day(3), date: date(8) }]);
    expect(given(...events).state().edd).toBe(date(8));
  });
});

describe('discharge ready date (DRD)', () => {
  const started = history([start()]);

  it('moves an admitted pathway to assessment', () => {
    const [recorded] = given(...started).when({ type: 'discharge-ready', at: day(3), date: date(3) }).then({ type: 'discharge_ready.recorded', date: date(3) });
    expect(evolve(given(...started).state(), recorded).stage).toBe('assessment');
  });

  it('cannot be set twice without the criteria to reside being met in between', () => {
    given(...history([start(), { type: 'discharge-ready', at: day(3), date: date(3) }]))
      .when({ type: 'discharge-ready', at: day(4), date: date(4) })
      .thenRejects('duplicate', /criteria-to-reside-met/);
  });

  it('cannot be before admission', () => {
    given(...started).when({ type: 'discharge-ready', at: day(3), date: '2026-02-27' }).thenRejects('invalid', /before admission/);
  });

  it('is cleared when the patient meets the criteria to reside again, keeping the delay days so far', () => {
    const events = history([start(), { type: 'discharge-ready', at: day(3), date: date(3) }]);
    const [cleared] = given(...events).when({ type: 'criteria-to-reside-met', at: day(5) }).then({ type: 'discharge_ready.cleared', date: date(3), delayDays: 2 });
    const state = evolve(given(...events).state(), cleared);
    expect(state.drd).toBeUndefined();
    expect(state.stage).toBe('admitted');
  });

  it('clearing needs a DRD', () => {
    given(...started).when({ type: 'criteria-to-reside-met', at: day(5) }).thenRejects('not_allowed_in_stage', /no discharge ready date/);
  });

  it('can be set anew after being cleared; bed-days lost include the earlier episode', () => {
    const events = history([
      start(),
      { type: 'discharge-ready', at: day(3), date: date(3) },
      { type: 'criteria-to-reside-met', at: day(5) },
      { type: 'discharge-ready', at: day(8), date: date(8) },
    ]);
    const summary = delaySummary(given(...events).state(), date(11));
    expect(summary.drd).toBe(date(8));
    expect(summary.daysDelayed).toBe(3);
    expect(summary.bedDaysLost).toBe(5);
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

  it('counts days delayed from the DRD to today while in hospital, never negative', () => {
    const state = given(...history([start(), { type: 'discharge-ready', at: day(3), date: date(5) }])).state();
    expect(delaySummary(state, date(4)).daysDelayed).toBe(0);
    expect(delaySummary(state, date(12)).daysDelayed).toBe(7);
    expect(delaySummary(state, date(12)).band).toBe('7-13');
  });

  it('fixes days delayed at the discharge date', () => {
    const events = history([
      start(),
      { type: 'discharge-ready', at: day(2), date: date(2) },
      { type: 'assessment', at: day(3), participants: professionalAndPatient, pathway: 'P0', needs: [], consents: [], ...patientAgrees },
      { type: 'discharge', at: day(6), date: date(6), destination: 'usual-residence' },
    ]);
    const discharged = events.find((e) => e.type === 'discharge.recorded');
    expect(discharged).toMatchObject({ daysDelayed: 4, bedDaysLost: 4 });
    expect(delaySummary(given(...events).state(), date(20)).daysDelayed).toBe(4);
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
