import { describe, expect, it } from 'vitest';
import { nextDeadline, resolvePolicy } from '../../domain';
import type { PathwayCommand } from '../../schemas/commands';
import type { PathwayEvent } from '../../schemas/events';
import { started } from './events';
import { date, day, given } from './spec';

// Rules 6 (issue 27): the patient is reminded the day before their support's first visit, while it
// has not started; the reminder is a deadline of the pathway, so it is recorded deterministically.
const policy = resolvePolicy('england');
const tick = (at: string): PathwayCommand => ({ type: 'tick', at });

/** P1 home with home care (ref-1, social care) from the 6th: ready on the 3rd, discharged on the 4th at 15:00, the gap bridged by the family. */
const homeCareFromThe6th = (rules: 5 | 6 = 6): PathwayEvent[] => [
  started({ rules }),
  { type: 'discharge_ready.recorded', at: day(2), date: date(2) },
  {
    type: 'assessment.completed',
    at: day(2),
    pathway: 'P1',
    participants: ['nurse', 'social_worker', 'patient'],
    needs: ['domiciliary-care'],
    replan: false,
    agreement: { patient: 'agrees' },
  },
  {
    type: 'referral.requested',
    at: day(2),
    referralId: 'ref-1',
    service: 'domiciliary-care',
    agency: 'social-care',
    reason: 'assessment',
    acceptBy: day(3),
    readyBy: day(5),
    consentRequired: false,
    funding: { payer: 'council', charging: 'means_tested', financialAssessment: 'pending' },
  },
  { type: 'referral.accepted', at: day(3, '09:00:00'), referralId: 'ref-1', agency: 'social-care', readyBy: day(5) },
  { type: 'referral.ready', at: day(3), referralId: 'ref-1', agency: 'social-care', readyFrom: date(6) },
  { type: 'pathway.ready_for_discharge', at: day(3) },
  {
    type: 'discharge.recorded',
    at: day(4, '15:00:00'),
    date: date(4),
    destination: 'usual-residence',
    pathway: 'P1',
    daysDelayed: 2,
    bedDaysLost: 2,
    supportGap: {
      services: [{ referralId: 'ref-1', service: 'domiciliary-care', startsOn: date(6), days: 2 }],
      bridge: { by: 'family', until: date(5) },
    },
  },
  { type: 'readmission_watch.started', at: day(4, '15:00:00'), from: date(4), until: '2026-04-03' },
];

const reminded: PathwayEvent = {
  type: 'support.first_visit_due',
  at: day(5, '00:00:00'),
  referralId: 'ref-1',
  agency: 'social-care',
  service: 'domiciliary-care',
  on: date(6),
};

describe('first visit due tomorrow (rules 6)', () => {
  it('falls due at the start of the day before the first visit, once, naming the support and its day', () => {
    expect(nextDeadline(given(...homeCareFromThe6th()).state(), policy)).toBe('2026-03-05T00:00:00.000Z');
    given(...homeCareFromThe6th())
      .when(tick(day(4, '23:59:59')))
      .then();
    given(...homeCareFromThe6th())
      .when(tick(day(5, '00:00:00')))
      .then(reminded);
    // Told once: the next deadline is the watch's end, and a later tick the same day records nothing.
    expect(nextDeadline(given(...homeCareFromThe6th(), reminded).state(), policy)).toBe('2026-04-03T00:00:00.000Z');
    given(...homeCareFromThe6th(), reminded)
      .when(tick(day(5, '18:00:00')))
      .then();
  });

  it('a start moved after the reminder is reminded of again, the day before the new day', () => {
    const moved: PathwayEvent = {
      type: 'referral.ready',
      at: day(5, '09:00:00'),
      referralId: 'ref-1',
      agency: 'social-care',
      readyFrom: date(8),
      movedFrom: date(6),
    };
    expect(nextDeadline(given(...homeCareFromThe6th(), reminded, moved).state(), policy)).toBe(
      '2026-03-07T00:00:00.000Z',
    );
    given(...homeCareFromThe6th(), reminded, moved)
      .when(tick(day(7, '00:00:00')))
      .then({ ...reminded, at: day(7, '00:00:00'), on: date(8) });
  });

  it('nothing once the support has started, or was reported not started', () => {
    const startedEarly: PathwayEvent = {
      type: 'support.started',
      at: day(5, '08:00:00'),
      referralId: 'ref-1',
      agency: 'social-care',
      service: 'domiciliary-care',
      startedOn: date(5),
    };
    given(...homeCareFromThe6th(), startedEarly)
      .when(tick(day(5, '09:00:00')))
      .then();
    expect(nextDeadline(given(...homeCareFromThe6th(), startedEarly).state(), policy)).toBe('2026-04-03T00:00:00.000Z');
  });

  it('a day known only once it has begun has nothing to remind of; one known the day before is reminded of at once', () => {
    // Ready from the 4th, the discharge day itself: the first visit is on the discharge day, known that afternoon.
    const sameDay = homeCareFromThe6th().map((e): PathwayEvent =>
      e.type === 'referral.ready'
        ? { ...e, readyFrom: date(4) }
        : e.type === 'discharge.recorded'
          ? { ...e, supportGap: undefined }
          : e,
    );
    expect(nextDeadline(given(...sameDay).state(), policy)).toBe('2026-04-03T00:00:00.000Z');
    given(...sameDay)
      .when(tick(day(4, '16:00:00')))
      .then();
    // Ready from the 5th, the day after the discharge: the reminder's moment has passed, so the next tick tells them.
    const nextDay = homeCareFromThe6th().map((e): PathwayEvent =>
      e.type === 'referral.ready' ? { ...e, readyFrom: date(5) } : e,
    );
    expect(nextDeadline(given(...nextDay).state(), policy)).toBe('2026-03-04T00:00:00.000Z');
    given(...nextDay)
      .when(tick(day(4, '15:00:01')))
      .then({ ...reminded, at: day(4, '15:00:01'), on: date(5) });
  });

  it('not before the discharge: a patient still in hospital is visited from the day they go home', () => {
    const inHospital = homeCareFromThe6th().filter(
      (e) => e.type !== 'discharge.recorded' && e.type !== 'readmission_watch.started',
    );
    given(...inHospital)
      .when(tick(day(5, '00:00:00')))
      .then();
  });

  it('rules 5 (pathways started before): no reminder', () => {
    expect(nextDeadline(given(...homeCareFromThe6th(5)).state(), policy)).toBe('2026-04-03T00:00:00.000Z');
    given(...homeCareFromThe6th(5))
      .when(tick(day(5, '00:00:00')))
      .then();
  });
});
