import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { route } from '../kafka/envelopes';
import { topics } from '../kafka/topics';
import type { RoutingContext } from '../schemas/data-minimisation';
import type { PathwayEvent } from '../schemas/events';
import { jsonSchemas } from '../schemas/json-schemas';
import { Notification, NotificationEvent, notificationFor } from '../schemas/notifications';
import { admission } from './support/fixtures';

// What the patient is told when their plan changes (issue 27): one message per change that matters,
// on homeward.notifications, shaped for an NHS Notify / NHS App adapter.
const patient = { ...admission().patient, name: 'Nora Notified' };
const context: RoutingContext = {
  patient,
  consents: {},
  referralAgencies: { 'ref-1': 'intermediate-care' },
  services: ['reablement'],
};
const at = '2026-11-20T10:00:00.000Z';
const notified = (event: PathwayEvent, ctx = context) =>
  route('pathway-N1', { sequence: 7, event }, ctx).filter((m) => m.topic === topics.notifications);

describe('notifications', () => {
  it('a start date set, moved, the discharge and a review booked: one message each, for the patient by NHS number', () => {
    const set = notificationFor(
      'pathway-N1',
      7,
      { type: 'referral.ready', at, referralId: 'ref-1', agency: 'intermediate-care', readyFrom: '2026-11-24' },
      context,
    );
    expect(set).toMatchObject({
      id: 'pathway-N1/7/start-date-set',
      type: 'uk.nhs.discharge.notification.requested.v1',
      subject: 'pathway-N1',
    });
    expect(set?.data).toEqual({
      notificationId: 'pathway-N1/7/start-date-set',
      recipient: { nhsNumber: patient.nhsNumber },
      channel: 'nhsapp',
      templateId: 'start-date-set',
      personalisation: { provider: 'the reablement team', day: 'Tuesday 24 November' },
    });
    const moved = notificationFor(
      'pathway-N1',
      8,
      {
        type: 'referral.ready',
        at,
        referralId: 'ref-1',
        agency: 'intermediate-care',
        readyFrom: '2026-11-26',
        movedFrom: '2026-11-24',
      },
      context,
    );
    expect(moved?.data).toMatchObject({
      templateId: 'start-date-moved',
      personalisation: {
        provider: 'the reablement team',
        day: 'Thursday 26 November',
        previousDay: 'Tuesday 24 November',
      },
    });
    expect(
      notificationFor(
        'pathway-N1',
        9,
        {
          type: 'discharge.recorded',
          at,
          date: '2026-11-20',
          destination: 'usual-residence',
          daysDelayed: 0,
          bedDaysLost: 0,
        } as PathwayEvent,
        context,
      )?.data,
    ).toMatchObject({ templateId: 'discharge-confirmed', personalisation: { day: 'Friday 20 November' } });
    expect(
      notificationFor(
        'pathway-N1',
        10,
        {
          type: 'review.recorded',
          at,
          outcome: 'continue',
          goals: ['walk to the shop'],
          reviewNumber: 1,
          nextReviewDue: '2026-11-27',
        },
        context,
      )?.data,
    ).toMatchObject({ templateId: 'review-booked', personalisation: { day: 'Friday 27 November' } });
    // One message on the topic per such event, keyed by the pathway as every topic is.
    const messages = notified({
      type: 'referral.ready',
      at,
      referralId: 'ref-1',
      agency: 'intermediate-care',
      readyFrom: '2026-11-24',
    });
    expect(messages).toHaveLength(1);
    expect(messages[0].key).toBe('pathway-N1');
  });

  it('first visit due: told the day before with the provider and the day; a reminder recorded on the day or after tells nothing', () => {
    const due = (at: string): PathwayEvent => ({
      type: 'support.first_visit_due',
      at,
      referralId: 'ref-1',
      agency: 'intermediate-care',
      service: 'reablement',
      on: '2026-11-24',
    });
    expect(notificationFor('pathway-N1', 11, due('2026-11-23T00:00:00.000Z'), context)?.data).toEqual({
      notificationId: 'pathway-N1/11/first-visit-due',
      recipient: { nhsNumber: patient.nhsNumber },
      channel: 'nhsapp',
      templateId: 'first-visit-due',
      personalisation: { provider: 'the reablement team', day: 'Tuesday 24 November' },
    });
    expect(notified(due('2026-11-24T00:00:05.000Z'))).toEqual([]);
  });

  it('nothing for a change that does not matter to the patient, or one with clinical or internal detail', () => {
    expect(
      notified({
        type: 'delay_reason.recorded',
        at,
        code: 'awaiting_transport',
        agency: 'acute-trust',
        note: 'internal',
      }),
    ).toEqual([]);
    expect(
      notified({
        type: 'review.recorded',
        at,
        outcome: 'needs_long_term_support',
        goals: [],
        reviewNumber: 2,
        nextReviewDue: '2026-11-27',
      }),
    ).toEqual([]);
    // The review's goals and notes, the patient's name and address never travel: only the template's fields.
    const [message] = notified({
      type: 'review.recorded',
      at,
      outcome: 'continue',
      goals: ['walk to the shop'],
      reviewNumber: 1,
      nextReviewDue: '2026-11-27',
      notes: 'wound dressing',
    });
    for (const value of [
      'walk to the shop',
      'wound dressing',
      'Nora Notified',
      patient.address.postcode,
      patient.dateOfBirth,
    ])
      expect(message.value).not.toContain(value);
  });

  it('carries the patient’s accessible-information needs, and sends paper formats as a letter', () => {
    const largePrint = notificationFor(
      'pathway-N1',
      7,
      {
        type: 'discharge.recorded',
        at,
        date: '2026-11-20',
        destination: 'usual-residence',
        daysDelayed: 0,
        bedDaysLost: 0,
      } as PathwayEvent,
      { ...context, accessibleInformation: { formats: ['large-print'], language: 'pl' } },
    );
    expect(largePrint?.data).toMatchObject({
      channel: 'letter',
      accessibleInformation: { formats: ['large-print'], language: 'pl' },
    });
    const bsl = notificationFor(
      'pathway-N1',
      7,
      {
        type: 'discharge.recorded',
        at,
        date: '2026-11-20',
        destination: 'usual-residence',
        daysDelayed: 0,
        bedDaysLost: 0,
      } as PathwayEvent,
      { ...context, accessibleInformation: { formats: ['bsl'] } },
    );
    expect(bsl?.data).toMatchObject({ channel: 'nhsapp', accessibleInformation: { formats: ['bsl'] } });
  });

  it("the agency guide's example is a notification as published, the one a moved start makes", () => {
    const example = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', 'docs', 'examples', 'notifications', 'start-date-moved.json'), 'utf8'),
    );
    expect(NotificationEvent.safeParse(example).error).toBeUndefined();
    const made = notificationFor(
      'pathway-A1001',
      12,
      {
        type: 'referral.ready',
        at: example.time,
        referralId: 'ref-1',
        agency: 'intermediate-care',
        readyFrom: '2026-11-26',
        movedFrom: '2026-11-24',
      },
      {
        ...context,
        patient: { ...patient, nhsNumber: example.data.recipient.nhsNumber },
        accessibleInformation: example.data.accessibleInformation,
      },
    );
    expect(made).toEqual(example);
  });

  it('has a JSON Schema beside the others, and refuses a field outside its shape', () => {
    expect(jsonSchemas()['notifications/notification.requested.v1.json']).toMatchObject({
      title: 'A notification to the patient (homeward.notifications)',
    });
    expect(
      Notification.safeParse({
        notificationId: 'x',
        recipient: { nhsNumber: patient.nhsNumber },
        channel: 'nhsapp',
        templateId: 'start-date-set',
        personalisation: { diagnosis: 'x' },
      }).success,
    ).toBe(false);
  });
});
