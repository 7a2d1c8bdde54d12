import { describe, expect, it } from 'vitest';
import { normalisedPayload, shapeIssues } from '../schemas/command-shapes';
import { commandNames, commandSchemas, type CommandName } from '../schemas/commands';
import { Service } from '../schemas/common';

// The workflow checks and normalises Updates with JSON Schema derived from zod (it cannot run zod
// on the worker's frozen, shared schemas): both must agree with zod on what zod decides by shape.
const valid: Record<CommandName, Record<string, unknown>> = {
  'expected-discharge-date': { date: '2026-11-24' },
  'discharge-ready': { date: '2026-11-24' },
  'criteria-to-reside-met': {},
  assessment: {
    needs: ['reablement'],
    participants: [{ role: 'nurse' }, { role: 'social_worker' }, { role: 'patient' }],
    pathway: 'P1',
    agreement: { patient: 'agrees' },
    home: { suitability: 'needs_adaptation' },
    carer: { name: 'Sam', willingAndAble: true, carersAssessment: 'accepted' },
  },
  consent: { agency: 'housing', given: true },
  carer: { carer: { name: 'Sam', relationship: 'son', willingAndAble: false, carersAssessment: 'accepted' } },
  capacity: { decision: 'discharge_plan', lacksCapacity: false, assessedBy: 'doctor', agreement: 'agrees' },
  'housing-status': { housingStatus: 'homeless', recordedBy: 'social_worker' },
  referral: { service: 'equipment' },
  'referral-response': { referralId: 'ref-1', agency: 'equipment', response: 'ready', readyFrom: '2026-11-25' },
  'delay-reason': { code: 'awaiting_p1_resource', agency: 'intermediate-care', note: 'no capacity this week' },
  'delay-reason-resolved': { code: 'awaiting_p1_resource', agency: 'intermediate-care' },
  discharge: { date: '2026-11-24', destination: 'usual-residence' },
  review: { outcome: 'continue' },
  readmission: { newAdmissionId: 'A-2', admittedOn: '2026-12-01' },
  'emergency-attendance': { attendedOn: '2026-12-01' },
  'lead-professional': { scope: 'pathway', role: 'nurse', team: 'Leeds discharge hub' },
  'extend-episode': { until: '2026-12-20', reason: 'handover_declined' },
  funding: { referralId: 'ref-1', payer: 'council', charging: 'means_tested', financialAssessment: 'pending' },
  cancel: { reason: 'died' },
  'episode-review': {
    agency: 'intermediate-care',
    outcome: 'continue',
    needsNow: { functionalNeeds: ['help to wash'] },
  },
  'transition-plan': { agency: 'intermediate-care', remainingNeeds: ['domiciliary-care'] },
  'funding-decision': {
    referralId: 'ref-1',
    agency: 'social-care',
    payer: 'council',
    charging: 'means_tested',
    financialAssessment: 'complete',
    chargesFrom: '2026-12-01',
  },
  'support-started': { referralId: 'ref-1', agency: 'equipment', startedOn: '2026-11-24' },
  'support-not-started': { referralId: 'ref-1', agency: 'social-care', dueOn: '2026-11-24', reason: 'no_access' },
  'housing-outcome': { referralId: 'ref-1', agency: 'housing', outcome: 'accommodation_secured', on: '2026-11-24' },
  'start-date-moved': { referralId: 'ref-1', agency: 'intermediate-care', readyFrom: '2026-11-26' },
  'carer-access': { carerKey: 'a'.repeat(40), relationship: 'daughter' },
  'carer-access-revoked': { accessId: 'carer-1' },
  'accessible-information': { formats: ['large-print'], language: 'pl' },
};

describe('command shapes derived from the zod schemas', () => {
  it('covers every command', () => {
    expect(Object.keys(valid).sort()).toEqual([...commandNames].sort());
  });

  it.each(commandNames)(
    "%s: a valid payload passes, and is normalised exactly as zod parses it (defaults filled in, in the schema's order)",
    (name) => {
      const payload = valid[name];
      expect(commandSchemas[name].safeParse(payload).success).toBe(true);
      expect(shapeIssues(name, payload)).toEqual([]);
      expect(JSON.stringify(normalisedPayload(name, payload))).toBe(
        JSON.stringify(commandSchemas[name].parse(payload)),
      );
    },
  );

  it('fills defaults with copies, never the shared default itself', () => {
    const first = normalisedPayload('review', { outcome: 'continue' });
    (first.goals as string[]).push('changed');
    expect(normalisedPayload('review', { outcome: 'continue' }).goals).toEqual([]);
  });

  it("drops fields the shape does not know, at any depth, as zod's lenient parse did for older Updates", () => {
    expect(
      normalisedPayload('assessment', {
        ...valid.assessment,
        colour: 'blue',
        home: { suitability: 'suitable', stairs: 3 },
      }),
    ).toMatchObject({
      home: { suitability: 'suitable' },
    });
    expect(normalisedPayload('assessment', { ...valid.assessment, colour: 'blue' })).not.toHaveProperty('colour');
    expect(
      normalisedPayload('assessment', { ...valid.assessment, home: { suitability: 'suitable', stairs: 3 } }).home,
    ).toEqual({ suitability: 'suitable' });
  });

  const malformed: [CommandName, unknown][] = [
    ['discharge-ready', { date: 20261124 }],
    ['discharge-ready', { date: '24/11/2026' }],
    ['discharge-ready', {}],
    ['discharge-ready', { date: '2026-11-24', colour: 'blue' }],
    ['assessment', { ...valid.assessment, participants: [] }],
    ['assessment', { ...valid.assessment, participants: [{ role: 'wizard' }] }],
    ['assessment', { ...valid.assessment, carer: { name: '', willingAndAble: 'yes', carersAssessment: 'accepted' } }],
    ['delay-reason', { code: 'awaiting_p1_resource', agency: 'intermediate-care', note: 'x'.repeat(501) }],
    ['review', { outcome: 'continue', goals: 'walk' }],
    // Lists no real body is as long as: Updates sent straight to Temporal are held to the same bounds.
    ['assessment', { ...valid.assessment, consents: Array(19).fill('housing') }],
    ['assessment', { ...valid.assessment, participants: Array(31).fill({ role: 'nurse' }) }],
    ['review', { outcome: 'continue', goals: Array(21).fill('walk') }],
    ['review', { outcome: 'continue', remainingNeeds: Array(Service.options.length * 2 + 1).fill('therapy') }],
    ['readmission', { newAdmissionId: 'A 2', admittedOn: '2026-12-01', emergency: 'true' }],
    ['cancel', null],
    ['cancel', ['died']],
  ];

  it.each(malformed)('%s %j: refused at the fields zod names', (name, payload) => {
    const zod = commandSchemas[name].safeParse(payload);
    expect(zod.success).toBe(false);
    const zodPaths = new Set(
      zod.error!.issues.flatMap((i) =>
        i.code === 'unrecognized_keys' ? i.keys.map((k) => [...i.path, k].join('.')) : [i.path.join('.') || '(body)'],
      ),
    );
    expect(new Set(shapeIssues(name, payload).map((i) => i.path))).toEqual(zodPaths);
  });
});
