import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PathwayState } from '../domain';
import { Representative, type PathwayCommand } from '../schemas/commands';
import { AssessmentSummary, Carer, Patient } from '../schemas/common';
import { eventSchemas, type EventType, type PathwayEvent } from '../schemas/events';
import { joinPersonal, personalFields, splitPersonal } from '../schemas/personal-fields';
import { date, day, history, start } from '../test/domain/spec';
import { admission } from '../test/support/fixtures';
import { foldTimeline, pathwayRow } from '../readmodel/pathways/row';

// What the read model folds its rows from: events without their personal fields. The fold must
// need none of them, and give the same rows with no personal data in the state.
const patient = {
  ...admission().patient,
  name: 'Philippa Personalia',
  dateOfBirth: '1931-07-19',
  address: { line1: '7 Hidden Row', town: 'Otley', postcode: 'LS21 1QQ' },
};
const carer = {
  name: 'Colin Carerly',
  relationship: 'son',
  phone: '0113 496 0777',
  willingAndAble: true,
  carersAssessment: 'accepted' as const,
};
const summary = {
  functionalNeeds: ['help washing'],
  clinical: ['warfarin, daily INR'],
  goals: ['walk to the allotment'],
};
const personalValues = [
  patient.nhsNumber,
  patient.name,
  patient.dateOfBirth,
  patient.address.line1,
  patient.address.postcode,
  carer.name,
  carer.phone,
  'Agatha Attorney',
  'Frieda Family',
  'warfarin',
  'allotment',
  'confused at night',
  'no staff in Otley',
  'grandson',
  'stairs again',
];

/** A stay with every personal field recorded: the patient, a represented patient's assessment with carer, summary and notes, a decline with a reason, a review. */
const events: PathwayEvent[] = history([
  start({ patient }),
  { type: 'discharge-ready', at: day(2), date: date(2) },
  {
    type: 'assessment',
    at: day(3),
    participants: [{ role: 'nurse' }, { role: 'social_worker' }],
    patientAbsent: 'lacks_capacity',
    bestInterests: {
      representative: { role: 'attorney', name: 'Agatha Attorney' },
      decidedBy: 'social_worker',
      consulted: [{ relationship: 'family', name: 'Frieda Family' }],
    },
    agreement: { patient: 'agrees' },
    pathway: 'P1',
    needs: ['reablement'],
    consents: ['intermediate-care'],
    notes: 'confused at night',
    summary,
    carer,
    home: { suitability: 'suitable' },
  },
  {
    type: 'referral-response',
    at: day(4),
    referralId: 'ref-1',
    agency: 'intermediate-care',
    response: 'declined',
    reason: 'no staff in Otley',
  },
  { type: 'referral', at: day(4), service: 'reablement' },
  // ref-2: the carer's assessment the carer accepted (rules 4); ref-3 reablement again.
  { type: 'referral-response', at: day(5), referralId: 'ref-3', agency: 'intermediate-care', response: 'accepted' },
  {
    type: 'referral-response',
    at: day(5),
    referralId: 'ref-3',
    agency: 'intermediate-care',
    response: 'ready',
    readyFrom: date(6),
  },
  // The carer's position recorded again apart from an assessment (rules 4).
  { type: 'carer', at: day(5), carer },
  { type: 'accessible-information', at: day(5), formats: ['bsl'], language: 'ur' },
  { type: 'discharge', at: day(6), date: date(6), destination: 'usual-residence' },
  {
    type: 'review',
    at: day(9),
    outcome: 'continue',
    goals: ['visit the grandson'],
    notes: 'managing the stairs again',
  },
] as PathwayCommand[]);
const recorded = (all: PathwayEvent[]) => all.map((event, i) => ({ sequence: i + 1, event }));

/** The state's personal parts, as evolve puts them there from the personal fields. */
function lessPersonal(state: PathwayState): PathwayState {
  const { patient: _patient, carer: _carer, accessibleInformation, ...personless } = state;
  // How the person needs information says something about them: only that it was recorded is left.
  const rest = accessibleInformation
    ? { ...personless, accessibleInformation: {} as PathwayState['accessibleInformation'] & object }
    : personless;
  // The latest review's goals (kept for the handover's picture, rules 5) are the patient's own words.
  const latestReview = rest.intermediateCare?.latestReview;
  const withoutGoals = latestReview
    ? {
        ...rest,
        intermediateCare: {
          ...rest.intermediateCare!,
          latestReview: { ...latestReview, goals: undefined as unknown as string[] },
        },
      }
    : rest;
  if (!withoutGoals.assessment) return withoutGoals;
  const { summary: _summary, representative: _representative, ...assessment } = withoutGoals.assessment;
  return { ...withoutGoals, assessment };
}

describe('personal fields apart', () => {
  it('the history under test records every personal field of the table', () => {
    for (const [type, fields] of Object.entries(personalFields)) {
      for (const field of fields)
        expect(
          events.some((e) => e.type === type && (e as Record<string, unknown>)[field] !== undefined),
          `${type}.${field}`,
        ).toBe(true);
    }
  });

  it('split then joined gives the event back; the rest holds no personal value', () => {
    for (const event of events) {
      const { rest, personal } = splitPersonal(event);
      expect(joinPersonal(rest, personal)).toEqual(event);
      for (const value of personalValues) expect(JSON.stringify(rest), `${event.type}: ${value}`).not.toContain(value);
      if (!personalFields[event.type]) expect(personal).toBeUndefined();
    }
  });

  it('folding the events without them gives the same rows, and a state without the patient, carer, representative or summary', () => {
    const today = date(20);
    const whole = foldTimeline(recorded(events));
    const impersonal = foldTimeline(recorded(events.map((e) => splitPersonal(e).rest)));
    expect(impersonal.state).toEqual(lessPersonal(whole.state));
    // The two reablement referrals, the carer's assessment and the welfare check of the discharge (rules 4).
    expect(impersonal.state.referrals).toHaveLength(4);
    const row = pathwayRow('pathway-A1', impersonal, today)!;
    expect({ ...row, state: undefined }).toEqual({ ...pathwayRow('pathway-A1', whole, today)!, state: undefined });
    const stored = JSON.stringify(row);
    for (const value of personalValues) expect(stored, value).not.toContain(value);
  });

  it('every event field holding a patient, a carer, a representative or an assessment summary is in the table', () => {
    const personalShapes: z.ZodType[] = [Patient, Carer, AssessmentSummary, Representative];
    const holds = (schema: z.ZodType): boolean => {
      if (personalShapes.includes(schema)) return true;
      const def = (
        schema as unknown as { def: { innerType?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType> } }
      ).def;
      return [def.innerType, def.element, ...Object.values(def.shape ?? {})].some(
        (inner) => inner !== undefined && holds(inner),
      );
    };
    for (const [type, schema] of Object.entries(eventSchemas)) {
      const listed: readonly string[] = personalFields[type as EventType] ?? [];
      for (const [field, fieldSchema] of Object.entries(schema.shape)) {
        if (holds(fieldSchema as z.ZodType)) expect(listed, `${type}.${field}`).toContain(field);
      }
    }
  });
});
