import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planFor } from '../app/plan-text';
import { evolve, type PathwayState } from '../domain';
import { MyPlan } from '../schemas/my-plan';
import { labels } from '../schemas/labels';
import type { PathwayEvent } from '../schemas/events';
import { generatedStay, stayPlan } from './support/generated-stays';
import { p1ReadyForDischarge } from './domain/events';
import { day } from './domain/spec';

// The patient's and carer's plan (issue 27): the allow-list of schemas/my-plan.ts, in plain English.

/** Every key the allow-list names, at any depth. */
function allowedKeys(schema: unknown, keys = new Set<string>()): Set<string> {
  const def = (
    schema as { def?: { type: string; shape?: Record<string, unknown>; element?: unknown; innerType?: unknown } }
  ).def;
  if (!def) return keys;
  if (def.type === 'object') for (const [key, inner] of Object.entries(def.shape!)) allowedKeys(inner, keys.add(key));
  if (def.type === 'array') allowedKeys(def.element, keys);
  if (def.type === 'optional') allowedKeys(def.innerType, keys);
  return keys;
}
const allowList = allowedKeys(MyPlan);

function keysOf(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => keysOf(item, found));
  else if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value))
      keysOf(inner, found.concat(key)).forEach((k) => found.includes(k) || found.push(k));
  return found;
}

/** Sentences only: every string the person reads (the ids the page sends back apart). */
function sentences(value: unknown, key = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => sentences(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => sentences(v, k));
  return typeof value === 'string' && !['agency', 'accessId', 'date', 'startsOn', 'viewer'].includes(key)
    ? [value]
    : [];
}

const now = Date.parse('2026-11-20T12:00:00Z');
// Codes that are not also English words ("assessment", "discharged" are both).
const codes = [
  ...Object.keys(labels.stages),
  ...Object.keys(labels.reasons),
  ...Object.keys(labels.services),
  ...Object.keys(labels.agencies),
]
  .filter((code) => /[_-]/.test(code))
  .concat('P0', 'P1', 'P2', 'P3');
const marker = (what: string) => `INTERNAL-${what}-NOTE`;

/** A stay with every internal note an agency or the ward could write, and a carer with access. */
function withInternals(state: PathwayState, carerKey: string): PathwayState {
  const at = state.referrals[0]?.requestedAt ?? state.admittedAt ?? '2026-11-01T00:00:00.000Z';
  const events: PathwayEvent[] = [
    { type: 'delay_reason.recorded', at, code: 'awaiting_transport', agency: 'acute-trust', note: marker('delay') },
    { type: 'carer_access.granted', at, accessId: 'carer-1', carerKey, relationship: 'daughter' },
  ];
  const noted = events.reduce(evolve, state);
  return {
    ...noted,
    assessment: noted.assessment && {
      ...noted.assessment,
      summary: { clinical: [marker('clinical')], risks: [marker('risk')] },
    },
    referrals: noted.referrals.map((r) => ({
      ...r,
      ...(r.status === 'declined' ? { housingOutcome: undefined } : {}),
    })),
  };
}

describe('the patient’s plan: an allow-list, over generated pathways', () => {
  it('never shows another pathway’s data, an internal note, a staff member, a code or a field outside the allow-list', () => {
    fc.assert(
      fc.property(stayPlan, stayPlan, fc.constantFrom('patient' as const, 'carer' as const), (planA, planB, viewer) => {
        const a = generatedStay(planA, {
          admissionId: 'AOWN1',
          sites: ['OWN-SITE'],
          localAuthorities: ['Ownborough'],
          now,
        });
        const b = generatedStay(planB, {
          admissionId: 'BOTHER2',
          sites: ['OTHER-SITE'],
          localAuthorities: ['Otherton'],
          now,
        });
        const state = withInternals(a.state, 'a'.repeat(40));
        const plan = planFor(state, viewer, '2026-11-20');
        const text = JSON.stringify(plan);
        // Only fields the allow-list names.
        for (const key of keysOf(plan)) expect(allowList.has(key), key).toBe(true);
        // Nothing of the other stay (its patient, admission, pathway, site, council).
        const other = b.state.patient!;
        for (const value of [other.nhsNumber, 'BOTHER2', b.pathwayId, 'OTHER-SITE', 'Otherton'])
          expect(text).not.toContain(value);
        // Nothing internal: notes, clinical detail, the carer's key, who on the staff did what, identifiers.
        for (const value of [
          marker('delay'),
          marker('clinical'),
          marker('risk'),
          'a'.repeat(40),
          'nurse-1',
          'agency-system',
          state.patient!.nhsNumber,
          'AOWN1',
          'OWN-SITE',
          'no capacity',
        ]) {
          expect(text).not.toContain(value);
        }
        // Plain English: no code in anything the person reads.
        for (const sentence of sentences(plan))
          for (const code of codes) expect(sentence.split(/[\s.,()]+/)).not.toContain(code);
        // A carer sees neither who else may see the plan nor a way to withdraw the patient's consent.
        if (viewer === 'carer') {
          expect(plan.carers).toBeUndefined();
          expect(plan.consents.every((c) => !c.canWithdraw)).toBe(true);
        } else {
          expect(plan.carers).toEqual([{ accessId: 'carer-1', text: 'Your daughter can see this plan.' }]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('finds a field outside the allow-list (the check can fail)', () => {
    expect(() =>
      MyPlan.parse({
        ...planFor(
          p1ReadyForDischarge().reduce(evolve, {
            stage: 'none',
            drdEpisodes: [],
            consents: {},
            referrals: [],
            delayReasons: [],
          } as PathwayState),
          'patient',
          '2026-03-06',
        ),
        notes: 'x',
      }),
    ).toThrow(/notes/);
  });
});

describe('the plan in plain English', () => {
  const state = p1ReadyForDischarge().reduce(evolve, {
    stage: 'none',
    drdEpisodes: [],
    consents: {},
    referrals: [],
    delayReasons: [],
  } as PathwayState);
  const lead: PathwayEvent = {
    type: 'lead_professional.assigned',
    at: day(6),
    scope: 'pathway',
    role: 'nurse',
    team: 'Leeds discharge hub',
    phone: '0113 496 0000',
  };

  it('says who comes when, whom to call, and what the patient agreed to', () => {
    const plan = planFor(evolve(state, lead), 'patient', '2026-03-06');
    expect(plan.whereYouAre).toBe('Your support is arranged. You are ready to leave hospital.');
    expect(plan.dischargeReady).toEqual({
      date: '2026-03-03',
      text: 'You have been ready to leave hospital since Tuesday 3 March.',
    });
    expect(plan.services).toEqual([
      {
        service: 'Reablement (help to get back to doing things for yourself)',
        provider: 'The reablement team in Leeds',
        text: 'The reablement team in Leeds will start reablement (help to get back to doing things for yourself) from Saturday 7 March.',
        startsOn: '2026-03-07',
      },
    ]);
    expect(plan.contact).toBe('Your main contact is the nurse at Leeds discharge hub, on 0113 496 0000.');
    expect(plan.phone).toBe('0113 496 0000');
    expect(plan.payments).toEqual(['Reablement (help to get back to doing things for yourself) is free.']);
    expect(plan.consents.find((c) => c.agency === 'intermediate-care')).toEqual({
      agency: 'intermediate-care',
      given: true,
      canWithdraw: true,
      text: 'You agreed that we can share your details with the reablement team in Leeds.',
    });
  });

  it('a moved start, a withdrawn consent and an ended carer’s access show as they now are', () => {
    const events: PathwayEvent[] = [
      {
        type: 'referral.ready',
        at: day(6),
        referralId: 'ref-1',
        agency: 'intermediate-care',
        readyFrom: '2026-03-10',
        movedFrom: '2026-03-07',
      },
      { type: 'consent.recorded', at: day(6), agency: 'housing', given: false, givenBy: 'patient' },
      { type: 'carer_access.granted', at: day(6), accessId: 'carer-1', carerKey: 'c'.repeat(40), relationship: 'son' },
      { type: 'carer_access.revoked', at: day(6), accessId: 'carer-1' },
    ];
    const plan = planFor(events.reduce(evolve, state), 'patient', '2026-03-06');
    expect(plan.services[0].text).toMatch(/ from Tuesday 10 March\.$/);
    expect(plan.consents.find((c) => c.agency === 'housing')).toMatchObject({
      given: false,
      canWithdraw: false,
      text: 'You have not agreed to share your details with the housing team at Leeds council.',
    });
    expect(plan.carers).toEqual([]);
  });
});
