import { describe, expect, it } from 'vitest';
import { route } from '../kafka/envelopes';
import { agencyViews, type RoutingContext } from '../schemas/data-minimisation';
import { Agency } from '../schemas/common';
import type { PathwayEvent } from '../schemas/events';
import { admission } from './support/fixtures';

// The minimisation table, field by field, without servers.
const patient = { ...admission().patient, housingStatus: 'homeless' as const, gpPractice: 'B86001' };
const allConsents = Object.fromEntries(Agency.options.map((a) => [a, true]));
const ctx = (consents: Partial<Record<string, boolean>> = allConsents): RoutingContext => ({
  patient,
  consents,
  referralAgencies: { 'ref-1': 'intermediate-care', 'ref-2': 'housing', 'ref-3': 'equipment' },
  services: ['reablement', 'housing'],
});
const requested = (agency: Agency, referralId = 'ref-1'): PathwayEvent => ({
  type: 'referral.requested',
  at: '2026-03-03T09:00:00.000Z',
  referralId,
  service: 'reablement',
  agency,
  reason: 'assessment',
  acceptBy: '2026-03-04T09:00:00.000Z',
  consentRequired: false,
});

/**
 * What each agency may see of the patient, restated here as literals (not read from the production
 * table): a wrong entry there (equipment given the NHS number, say) fails this test.
 */
const expectedPatientFields: [Agency, string[]][] = [
  ['social-care', ['address', 'dateOfBirth', 'name', 'nhsNumber']],
  ['community-health', ['address', 'dateOfBirth', 'name', 'nhsNumber']],
  ['intermediate-care', ['address', 'dateOfBirth', 'name', 'nhsNumber']],
  ['equipment', ['address', 'name']],
  ['housing', ['address', 'housingStatus', 'name']],
  ['gp', ['dateOfBirth', 'gpPractice', 'name', 'nhsNumber']],
  ['voluntary', ['address', 'name']],
  ['care-home', ['dateOfBirth', 'name', 'nhsNumber']],
];

/** The parts of the joint assessment (summary and home) each agency may see, as literals: housing never clinical detail. */
const expectedAssessmentParts: [Agency, string[]][] = [
  ['social-care', ['communicationNeeds', 'functionalNeeds', 'goals', 'home', 'risks']],
  ['community-health', ['clinical', 'communicationNeeds', 'functionalNeeds', 'goals', 'risks']],
  ['intermediate-care', ['clinical', 'communicationNeeds', 'functionalNeeds', 'goals', 'home', 'risks']],
  ['equipment', ['functionalNeeds', 'home', 'risks']],
  ['housing', ['communicationNeeds', 'functionalNeeds', 'home']],
  ['gp', ['clinical', 'communicationNeeds', 'functionalNeeds', 'goals', 'risks']],
  ['voluntary', ['communicationNeeds', 'goals']],
  ['care-home', ['clinical', 'communicationNeeds', 'functionalNeeds', 'goals', 'risks']],
];

/** The carer's details each agency may see, as literals: housing how to reach them, nothing more. */
const expectedCarerFields: [Agency, string[]][] = [
  ['social-care', ['carersAssessment', 'name', 'phone', 'relationship', 'willingAndAble']],
  ['community-health', ['name', 'phone', 'relationship', 'willingAndAble']],
  ['intermediate-care', ['name', 'phone', 'relationship', 'willingAndAble']],
  ['equipment', ['name', 'phone']],
  ['housing', ['name', 'phone', 'relationship']],
  ['gp', ['name', 'relationship', 'willingAndAble']],
  ['voluntary', ['name', 'phone', 'relationship']],
  ['care-home', ['name', 'phone', 'relationship']],
];

describe('agency data minimisation', () => {
  it('the table covers every agency but the trust itself', () => {
    expect(expectedPatientFields.map(([agency]) => agency).sort()).toEqual(
      Agency.options.filter((a) => a !== 'acute-trust').sort(),
    );
  });

  it.each(expectedPatientFields)(
    'a referral to %s carries exactly the patient fields it needs: %j',
    (agency, fields) => {
      const [view] = agencyViews(requested(agency), ctx());
      expect(view.to).toEqual([agency]);
      expect(Object.keys(view.data.patient as object).sort()).toEqual(fields);
      for (const field of fields)
        expect((view.data.patient as Record<string, unknown>)[field]).toEqual(patient[field as keyof typeof patient]);
    },
  );

  it('housing gets address and housing status, never the NHS number, date of birth or clinical detail', () => {
    const [view] = agencyViews(requested('housing', 'ref-2'), ctx());
    expect(view.data.patient).toEqual({ name: patient.name, address: patient.address, housingStatus: 'homeless' });
  });

  it('without consent an agency gets no identifying data, and is told consent is required', () => {
    const [view] = agencyViews(requested('equipment', 'ref-3'), ctx({ ...allConsents, equipment: false }));
    expect(view.data).not.toHaveProperty('patient');
    expect(view.data.consentRequired).toBe(true);
    expect(JSON.stringify(view.data)).not.toContain(patient.name);
  });

  it('consent given after a referral releases the patient details that agency may now see; to an agency not referred, nothing', () => {
    const consent = (agency: Agency, given = true): PathwayEvent => ({
      type: 'consent.recorded',
      at: '2026-03-04T10:00:00.000Z',
      agency,
      given,
      givenBy: 'patient',
    });
    expect(agencyViews(consent('housing'), ctx())).toEqual([
      {
        to: ['housing'],
        data: {
          agency: 'housing',
          given: true,
          givenBy: 'patient',
          patient: { name: patient.name, address: patient.address, housingStatus: 'homeless' },
        },
      },
    ]);
    expect(
      agencyViews(consent('equipment', false), ctx({ ...allConsents, equipment: false }))[0].data,
    ).not.toHaveProperty('patient');
    expect(agencyViews(consent('care-home'), ctx())[0].data).not.toHaveProperty('patient');
  });

  it.each(expectedAssessmentParts)(
    'a referral to %s carries exactly its part of the assessment: %j',
    (agency, parts) => {
      const summary = {
        functionalNeeds: ['help to wash'],
        risks: ['falls'],
        goals: ['walk to the shop'],
        communicationNeeds: ['hard of hearing'],
        clinical: ['insulin twice daily'],
        home: { suitability: 'suitable' as const },
      };
      const [view] = agencyViews(requested(agency), { ...ctx(), assessmentSummary: summary });
      expect(Object.keys(view.data.assessment as object).sort()).toEqual(parts);
    },
  );

  it('the home (suitability, tenure) goes to housing, equipment, social care and intermediate care, not the GP', () => {
    const withHome = {
      ...ctx(),
      assessmentSummary: { home: { suitability: 'needs_move' as const, tenure: 'private_rent' as const } },
    };
    expect(agencyViews(requested('housing', 'ref-2'), withHome)[0].data.assessment).toEqual({
      home: { suitability: 'needs_move', tenure: 'private_rent' },
    });
    expect(agencyViews(requested('gp'), withHome)[0].data).not.toHaveProperty('assessment');
  });

  it('housing never gets clinical detail from the summary; without consent no agency gets any of it; consent later releases it', () => {
    const summary = { functionalNeeds: ['stairs are a problem'], clinical: ['insulin twice daily'] };
    const [housing] = agencyViews(requested('housing', 'ref-2'), { ...ctx(), assessmentSummary: summary });
    expect(housing.data.assessment).toEqual({ functionalNeeds: ['stairs are a problem'] });
    const withoutConsent = { ...ctx({ ...allConsents, equipment: false }), assessmentSummary: summary };
    expect(agencyViews(requested('equipment', 'ref-3'), withoutConsent)[0].data).not.toHaveProperty('assessment');
    const released = agencyViews(
      { type: 'consent.recorded', at: '2026-03-04T10:00:00.000Z', agency: 'equipment', given: true },
      { ...ctx(), assessmentSummary: summary },
    );
    expect(released[0].data).toMatchObject({
      patient: { name: patient.name },
      assessment: { functionalNeeds: ['stairs are a problem'] },
    });
  });

  it('an A&E attendance during the watch goes to the GP and the providers still caring, with no patient details', () => {
    const attended: PathwayEvent = {
      type: 'emergency_attendance.recorded',
      at: '2026-03-10T20:00:00.000Z',
      attendedOn: '2026-03-10',
      dayOfWatch: 6,
    };
    expect(agencyViews(attended, ctx())).toEqual([
      { to: ['gp', 'intermediate-care'], data: { attendedOn: '2026-03-10', dayOfWatch: 6 } },
    ]);
  });

  it('a lead professional is shown to every agency involved and the GP, as a role and a team', () => {
    const assigned: PathwayEvent = {
      type: 'lead_professional.assigned',
      at: '2026-03-05T10:00:00.000Z',
      scope: 'pathway',
      role: 'social_worker',
      team: 'Discharge hub',
    };
    const [view] = agencyViews(assigned, ctx());
    expect(view.to.sort()).toEqual(['equipment', 'gp', 'housing', 'intermediate-care']);
    expect(view.data).toEqual({ scope: 'pathway', role: 'social_worker', team: 'Discharge hub' });
  });

  const carer = {
    name: 'Carer Name',
    relationship: 'son',
    phone: '0113 496 0001',
    willingAndAble: true,
    carersAssessment: 'accepted' as const,
  };

  it.each(expectedCarerFields)(
    "a referral to %s carries exactly the carer's details it needs: %j",
    (agency, fields) => {
      const [view] = agencyViews(requested(agency), { ...ctx(), carer });
      expect(Object.keys((view.data.carer as object | undefined) ?? {}).sort()).toEqual(fields);
    },
  );

  it("the carer's assessment goes to social care with the carer's details on the carer's own agreement; the patient's only with theirs", () => {
    const requestedAssessment: PathwayEvent = {
      type: 'carers_assessment.requested',
      at: '2026-03-03T09:00:00.000Z',
      willingAndAble: true,
    };
    const [view] = agencyViews(requestedAssessment, { ...ctx({}), carer });
    expect(view).toEqual({ to: ['social-care'], data: { willingAndAble: true, carer } });
  });

  it("funding goes to the patient's social care team", () => {
    const funded: PathwayEvent = {
      type: 'funding.recorded',
      at: '2026-03-05T10:00:00.000Z',
      referralId: 'ref-1',
      agency: 'intermediate-care',
      service: 'reablement',
      payer: 'nhs',
      charging: 'free',
      financialAssessment: 'not_needed',
    };
    expect(agencyViews(funded, ctx()).map((v) => v.to)).toEqual([['social-care']]);
  });

  it('referral answers go only to the agency the referral is addressed to', () => {
    const accepted: PathwayEvent = {
      type: 'referral.accepted',
      at: '2026-03-03T10:00:00.000Z',
      referralId: 'ref-3',
      agency: 'equipment',
      readyBy: '2026-03-05T10:00:00.000Z',
    };
    expect(agencyViews(accepted, ctx()).flatMap((v) => v.to)).toEqual(['equipment']);
  });

  it('the GP gets the discharge summary; the other involved agencies only date and destination', () => {
    const discharged: PathwayEvent = {
      type: 'discharge.recorded',
      at: '2026-03-04T15:00:00.000Z',
      date: '2026-03-04',
      destination: 'usual-residence',
      pathway: 'P1',
      daysDelayed: 2,
      bedDaysLost: 2,
    };
    const views = agencyViews(discharged, ctx());
    const gp = views.find((v) => v.to.includes('gp'))!;
    expect(gp.data).toEqual({
      date: '2026-03-04',
      destination: 'usual-residence',
      pathway: 'P1',
      services: ['reablement', 'housing'],
      patient: {
        nhsNumber: patient.nhsNumber,
        name: patient.name,
        dateOfBirth: patient.dateOfBirth,
        gpPractice: 'B86001',
      },
      // No services with providers in this context (one from an older worker): the summary still says when, where and how.
      summary: { dischargedOn: '2026-03-04', destination: 'usual-residence', pathway: 'P1', services: [] },
    });
    const others = views.find((v) => !v.to.includes('gp'))!;
    expect(others.to.sort()).toEqual(['equipment', 'housing', 'intermediate-care']);
    expect(others.data).toEqual({ date: '2026-03-04', destination: 'usual-residence' });
  });

  it('the GP’s discharge summary: the stay’s dates, where and how, each service ready with its provider and start, whom to contact; not a handover’s', () => {
    const discharged: PathwayEvent = {
      type: 'discharge.recorded',
      at: '2026-03-04T15:00:00.000Z',
      date: '2026-03-04',
      destination: 'usual-residence',
      pathway: 'P1',
      daysDelayed: 2,
      bedDaysLost: 2,
    };
    const context: RoutingContext = {
      ...ctx(),
      admittedOn: '2026-02-26',
      arranged: [
        { service: 'reablement', provider: 'intermediate-care', from: '2026-03-04' },
        { service: 'equipment', provider: 'equipment', from: '2026-03-03' },
        { service: 'domiciliary-care', provider: 'social-care', from: '2026-04-15', purpose: 'handover' },
      ],
      picture: { leadProfessional: { role: 'occupational_therapist', team: 'Leeds reablement' } },
    };
    const gp = agencyViews(discharged, context).find((v) => v.to.includes('gp'))!;
    expect(gp.data.summary).toEqual({
      admittedOn: '2026-02-26',
      dischargedOn: '2026-03-04',
      destination: 'usual-residence',
      pathway: 'P1',
      services: [
        { service: 'reablement', provider: 'intermediate-care', from: '2026-03-04' },
        { service: 'equipment', provider: 'equipment', from: '2026-03-03' },
      ],
      leadProfessional: { role: 'occupational_therapist', team: 'Leeds reablement' },
    });
    // The other agencies learn nothing of it.
    expect(agencyViews(discharged, context).find((v) => !v.to.includes('gp'))!.data).toEqual({
      date: '2026-03-04',
      destination: 'usual-residence',
    });
  });

  it('trust-internal events (admission, DRD, delay reasons, assessment) reach no other agency', () => {
    const internal: PathwayEvent[] = [
      { type: 'discharge_ready.recorded', at: '2026-03-03T09:00:00.000Z', date: '2026-03-03' },
      {
        type: 'delay_reason.recorded',
        at: '2026-03-03T09:00:00.000Z',
        code: 'awaiting_transport',
        agency: 'acute-trust',
      },
      {
        type: 'assessment.completed',
        at: '2026-03-03T09:00:00.000Z',
        pathway: 'P1',
        participants: ['nurse', 'patient'],
        needs: ['reablement'],
        replan: false,
      },
    ];
    for (const event of internal) expect(agencyViews(event, ctx())).toEqual([]);
  });

  it('routes every event in full to the audit topic and the trust, with one id on every topic', () => {
    const messages = route('pathway-A1', { sequence: 7, event: requested('housing', 'ref-2') }, ctx());
    expect(messages.map((m) => m.topic)).toEqual([
      'homeward.pathway.events',
      'homeward.agency.acute-trust.events',
      'homeward.agency.housing.events',
    ]);
    const ids = messages.map((m) => JSON.parse(m.value).id);
    expect(new Set(ids)).toEqual(new Set(['pathway-A1/7']));
    expect(messages.every((m) => m.key === 'pathway-A1')).toBe(true);
    expect(JSON.parse(messages[0].value).data.agency).toBe('housing');
  });
});

describe('routing after discharge', () => {
  const at = '2026-03-10T09:00:00.000Z';
  const to = (event: PathwayEvent) =>
    agencyViews(event, ctx())
      .flatMap((v) => v.to)
      .sort();

  it('the handover gives social care and the GP each their own patient fields', () => {
    const handover: PathwayEvent = {
      type: 'handover.long_term_services',
      at,
      reason: 'six_week_limit',
      to: ['social-care', 'gp'],
    };
    const views = agencyViews(handover, ctx());
    expect(views.map((v) => v.to)).toEqual([['social-care'], ['gp']]);
    expect(views[0].data).toEqual({
      reason: 'six_week_limit',
      to: ['social-care', 'gp'],
      patient: {
        nhsNumber: patient.nhsNumber,
        name: patient.name,
        dateOfBirth: patient.dateOfBirth,
        address: patient.address,
      },
    });
    expect(views[1].data.patient).toEqual({
      nhsNumber: patient.nhsNumber,
      name: patient.name,
      dateOfBirth: patient.dateOfBirth,
      gpPractice: 'B86001',
    });
    // The GP, named in the handover, has a task; social care has its referral instead.
    expect(views[1].data.task).toEqual({ action: 'update_care_record_after_handover', services: [] });
    expect(views[0].data.task).toBeUndefined();
  });

  it('the GP’s task on a handover naming it: each service taking over with the agency it is referred to, and whom to contact', () => {
    const handover: PathwayEvent = {
      type: 'handover.long_term_services',
      at,
      reason: 'long_term_needs',
      to: ['social-care', 'community-health', 'gp'],
      services: ['domiciliary-care', 'district-nursing'],
    };
    const context = { ...ctx(), picture: { leadProfessional: { role: 'social_worker', team: 'Leeds north' } } };
    const gp = agencyViews(handover, context).find((v) => v.to.includes('gp'))!;
    expect(gp.data.task).toEqual({
      action: 'update_care_record_after_handover',
      services: [
        { service: 'domiciliary-care', provider: 'social-care' },
        { service: 'district-nursing', provider: 'community-health' },
      ],
      leadProfessional: { role: 'social_worker', team: 'Leeds north' },
    });
    // A handover not naming the GP (a test of the rule, not a case the domain makes): no task for anyone.
    expect(agencyViews({ ...handover, to: ['social-care'] }, context).some((v) => 'task' in v.data)).toBe(false);
  });

  it('reviews go to intermediate care only', () => {
    expect(
      to({
        type: 'review.recorded',
        at,
        outcome: 'continue',
        goals: ['walk'],
        reviewNumber: 1,
        nextReviewDue: '2026-03-17',
      }),
    ).toEqual(['intermediate-care']);
    expect(to({ type: 'review.overdue', at, dueOn: '2026-03-09' })).toEqual(['intermediate-care']);
  });

  it('readmitted, handed back and cancelled reach every involved agency and the GP, without the new admission id', () => {
    const involvedAndGp = ['equipment', 'gp', 'housing', 'intermediate-care'];
    const readmitted = agencyViews(
      {
        type: 'pathway.readmitted',
        at,
        newAdmissionId: 'A2',
        linkedPathwayId: 'pathway-A2',
        admittedOn: '2026-03-10',
        dayOfWatch: 6,
      },
      ctx(),
    );
    expect(readmitted.flatMap((v) => v.to).sort()).toEqual(involvedAndGp);
    expect(readmitted[0].data).toEqual({ admittedOn: '2026-03-10', dayOfWatch: 6 });
    expect(to({ type: 'pathway.handed_back', at, outcome: 'home' })).toEqual(involvedAndGp);
    expect(agencyViews({ type: 'pathway.cancelled', at, reason: 'died' }, ctx())[0].data).toEqual({ reason: 'died' });
  });

  it('every message carries the CloudEvents Kafka headers', () => {
    const [message] = route('pathway-A1', { sequence: 3, event: requested('housing', 'ref-2') }, ctx());
    expect(message.headers).toEqual({
      ce_id: 'pathway-A1/3',
      ce_type: 'uk.nhs.discharge.referral.requested.v1',
      'content-type': 'application/cloudevents+json',
    });
  });
});

/**
 * Who is told of each event, restated as literals: with intermediate care, housing and equipment
 * involved (ctx's referrals), and the GP, who is told at the discharge and after it.
 */
describe('routing: which agencies each event reaches', () => {
  const at = '2026-03-05T10:00:00.000Z';
  const ref = { referralId: 'ref-2', agency: 'housing' as const };
  const rows: [string, PathwayEvent, Agency[][]][] = [
    ['a decline to the agency that declined', { type: 'referral.declined', at, ...ref }, [['housing']]],
    ['readiness to its agency', { type: 'referral.ready', at, ...ref, readyFrom: '2026-03-06' }, [['housing']]],
    [
      'an escalation to its agency',
      { type: 'referral.escalated', at, ...ref, kind: 'acceptance', level: 1, overdueSince: at },
      [['housing']],
    ],
    ['a withdrawal to its agency', { type: 'referral.withdrawn', at, ...ref, reason: 'changed-plan' }, [['housing']]],
    ['a hold to its agency', { type: 'referral.on_hold', at, ...ref, reason: 'cancelled' }, [['housing']]],
    [
      'ready for discharge to every agency involved',
      { type: 'pathway.ready_for_discharge', at },
      [['intermediate-care', 'housing', 'equipment']],
    ],
    [
      'the discharge to every agency involved, and its summary to the GP',
      {
        type: 'discharge.recorded',
        at,
        date: '2026-03-05',
        destination: 'usual-residence',
        pathway: 'P1',
        daysDelayed: 0,
        bedDaysLost: 0,
      },
      [['intermediate-care', 'housing', 'equipment'], ['gp']],
    ],
    [
      'intermediate care starting to its provider and the GP',
      {
        type: 'intermediate_care.started',
        at,
        startDate: '2026-03-05',
        endBy: '2026-04-16',
        firstReviewDue: '2026-03-12',
      },
      [['intermediate-care', 'gp']],
    ],
    [
      'intermediate care ending to its provider and the GP',
      { type: 'intermediate_care.ended', at, reason: 'goals_met', days: 10 },
      [['intermediate-care', 'gp']],
    ],
    [
      'a review only to intermediate care',
      { type: 'review.recorded', at, outcome: 'continue', goals: [], reviewNumber: 1, nextReviewDue: '2026-03-12' },
      [['intermediate-care']],
    ],
    [
      'funding to the patient’s social care team',
      {
        type: 'funding.recorded',
        at,
        ...ref,
        service: 'housing',
        payer: 'council',
        charging: 'free',
        financialAssessment: 'not_needed',
      },
      [['social-care']],
    ],
    [
      'an A&E attendance to the GP and intermediate care still caring',
      { type: 'emergency_attendance.recorded', at, attendedOn: '2026-03-05', dayOfWatch: 3 },
      [['gp', 'intermediate-care']],
    ],
    [
      'the handback to every agency involved and the GP',
      { type: 'pathway.handed_back', at, outcome: 'home' },
      [['intermediate-care', 'housing', 'equipment', 'gp']],
    ],
    [
      'a readmission to every agency involved and the GP',
      {
        type: 'pathway.readmitted',
        at,
        newAdmissionId: 'A2',
        linkedPathwayId: 'pathway-A2',
        admittedOn: '2026-03-05',
        dayOfWatch: 3,
      },
      [['intermediate-care', 'housing', 'equipment', 'gp']],
    ],
  ];

  it.each(rows)('%s', (_what, event, to) => {
    expect(agencyViews(event, ctx()).map((view) => view.to)).toEqual(to);
  });

  it('the discharge tells the involved agencies only the date and destination; the GP the pathway and the services too', () => {
    const [agencies, gp] = agencyViews(rows[6][1], ctx());
    expect(agencies.data).toEqual({ date: '2026-03-05', destination: 'usual-residence' });
    expect(gp.data).toMatchObject({
      date: '2026-03-05',
      destination: 'usual-residence',
      pathway: 'P1',
      services: ['reablement', 'housing'],
    });
  });

  it('the readmission tells only the day and the day of the watch', () => {
    expect(agencyViews(rows[13][1], ctx())[0].data).toEqual({ admittedOn: '2026-03-05', dayOfWatch: 3 });
  });
});
