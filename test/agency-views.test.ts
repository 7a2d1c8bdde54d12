import { describe, expect, it } from 'vitest';
import { route } from '../activities/publish';
import { agencyViews, type RoutingContext } from '../schemas/agency-views';
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

describe('agency data minimisation', () => {
  it('the table covers every agency but the trust itself', () => {
    expect(expectedPatientFields.map(([agency]) => agency).sort()).toEqual(Agency.options.filter((a) => a !== 'acute-trust').sort());
  });

  it.each(expectedPatientFields)('a referral to %s carries exactly the patient fields it needs: %j', (agency, fields) => {
    const [view] = agencyViews(requested(agency), ctx());
    expect(view.to).toEqual([agency]);
    expect(Object.keys(view.data.patient as object).sort()).toEqual(fields);
    for (const field of fields) expect((view.data.patient as Record<string, unknown>)[field]).toEqual(patient[field as keyof typeof patient]);
  });

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

  it('referral answers go only to the agency the referral is addressed to', () => {
    const accepted: PathwayEvent = { type: 'referral.accepted', at: '2026-03-03T10:00:00.000Z', referralId: 'ref-3', agency: 'equipment', readyBy: '2026-03-05T10:00:00.000Z' };
    expect(agencyViews(accepted, ctx()).flatMap((v) => v.to)).toEqual(['equipment']);
  });

  it('the GP gets the discharge summary; the other involved agencies only date and destination', () => {
    const discharged: PathwayEvent = { type: 'discharge.recorded', at: '2026-03-04T15:00:00.000Z', date: '2026-03-04', destination: 'usual-residence', pathway: 'P1', daysDelayed: 2, bedDaysLost: 2 };
    const views = agencyViews(discharged, ctx());
    const gp = views.find((v) => v.to.includes('gp'))!;
    expect(gp.data).toEqual({ date: '2026-03-04', destination: 'usual-residence', pathway: 'P1', services: ['reablement', 'housing'], patient: { nhsNumber: patient.nhsNumber, name: patient.name, dateOfBirth: patient.dateOfBirth, gpPractice: 'B86001' } });
    const others = views.find((v) => !v.to.includes('gp'))!;
    expect(others.to.sort()).toEqual(['equipment', 'housing', 'intermediate-care']);
    expect(others.data).toEqual({ date: '2026-03-04', destination: 'usual-residence' });
  });

  it('trust-internal events (admission, DRD, delay reasons, assessment) reach no other agency', () => {
    const internal: PathwayEvent[] = [
      { type: 'discharge_ready.recorded', at: '2026-03-03T09:00:00.000Z', date: '2026-03-03' },
      { type: 'delay_reason.recorded', at: '2026-03-03T09:00:00.000Z', code: 'awaiting_transport', agency: 'acute-trust' },
      { type: 'assessment.completed', at: '2026-03-03T09:00:00.000Z', pathway: 'P1', participants: ['nurse', 'patient'], needs: ['reablement'], replan: false },
    ];
    for (const event of internal) expect(agencyViews(event, ctx())).toEqual([]);
  });

  it('routes every event in full to the audit topic and the trust, with one id on every topic', () => {
    const messages = route('pathway-A1', { sequence: 7, event: requested('housing', 'ref-2') }, ctx());
    expect(messages.map((m) => m.topic)).toEqual(['homeward.pathway.events', 'homeward.agency.acute-trust.events', 'homeward.agency.housing.events']);
    const ids = messages.map((m) => JSON.parse(m.value).id);
    expect(new Set(ids)).toEqual(new Set(['pathway-A1/7']));
    expect(messages.every((m) => m.key === 'pathway-A1')).toBe(true);
    expect(JSON.parse(messages[0].value).data.agency).toBe('housing');
  });
});

describe('routing after discharge', () => {
  const at = '2026-03-10T09:00:00.000Z';
  const to = (event: PathwayEvent) => agencyViews(event, ctx()).flatMap((v) => v.to).sort();

  it('the handover gives social care and the GP each their own patient fields', () => {
    const handover: PathwayEvent = { type: 'handover.long_term_services', at, reason: 'six_week_limit', to: ['social-care', 'gp'] };
    const views = agencyViews(handover, ctx());
    expect(views.map((v) => v.to)).toEqual([['social-care'], ['gp']]);
    expect(views[0].data).toEqual({ reason: 'six_week_limit', to: ['social-care', 'gp'], patient: { nhsNumber: patient.nhsNumber, name: patient.name, dateOfBirth: patient.dateOfBirth, address: patient.address } });
    expect(views[1].data.patient).toEqual({ nhsNumber: patient.nhsNumber, name: patient.name, dateOfBirth: patient.dateOfBirth, gpPractice: 'B86001' });
  });

  it('reviews go to intermediate care only', () => {
    expect(to({ type: 'review.recorded', at, outcome: 'continue', goals: ['walk'], reviewNumber: 1, nextReviewDue: '2026-03-17' })).toEqual(['intermediate-care']);
    expect(to({ type: 'review.overdue', at, dueOn: '2026-03-09' })).toEqual(['intermediate-care']);
  });

  it('readmitted, handed back and cancelled reach every involved agency and the GP, without the new admission id', () => {
    const involvedAndGp = ['equipment', 'gp', 'housing', 'intermediate-care'];
    const readmitted = agencyViews({ type: 'pathway.readmitted', at, newAdmissionId: 'A2', linkedPathwayId: 'pathway-A2', admittedOn: '2026-03-10', dayOfWatch: 6 }, ctx());
    expect(readmitted.flatMap((v) => v.to).sort()).toEqual(involvedAndGp);
    expect(readmitted[0].data).toEqual({ admittedOn: '2026-03-10', dayOfWatch: 6 });
    expect(to({ type: 'pathway.handed_back', at, outcome: 'home' })).toEqual(involvedAndGp);
    expect(agencyViews({ type: 'pathway.cancelled', at, reason: 'died' }, ctx())[0].data).toEqual({ reason: 'died' });
  });

  it('every message carries the CloudEvents Kafka headers', () => {
    const [message] = route('pathway-A1', { sequence: 3, event: requested('housing', 'ref-2') }, ctx());
    expect(message.headers).toEqual({ ce_id: 'pathway-A1/3', ce_type: 'uk.nhs.discharge.referral.requested.v1', 'content-type': 'application/cloudevents+json' });
  });
});
