import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics } from '../kafka/topics';
import { accessibilityViolations, launchChromium, signInThroughIssuer } from '../tools/browser';
import { admission, dayFromToday, jointAssessment, nhsNumber } from './support/fixtures';
import { TopicReader } from './support/kafka';
import { eventually, startSystem } from './support/system';

// The patient's and carer's own plan (issue 27) in a real headless Chromium against the real system
// (Temporal, Kafka, PostgreSQL): they sign in through the issuer with their own NHS numbers, find
// what the discharge team and the agencies recorded, and the provider's moved start shows within
// seconds and makes exactly one notification on homeward.notifications.
let system: Awaited<ReturnType<typeof startSystem>>;
let browser: Browser;
let notifications: TopicReader;
const patientNumber = nhsNumber();
const carerNumber = nhsNumber();
const stay = admission({
  site: `PLAN-${Date.now().toString(36).toUpperCase()}`,
  patient: { ...admission().patient, nhsNumber: patientNumber, name: 'Edith Plan' },
});
const pathwayId = `pathway-${stay.admissionId}`;
const firstVisit = dayFromToday(3);
const movedVisit = dayFromToday(5);
/** As the page says a day: "Monday 24 November" (the year only when it is not this one). */
const spoken = (date: string) =>
  new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    ...(date.slice(0, 4) === dayFromToday(0).slice(0, 4) ? {} : { year: 'numeric' }),
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));

beforeAll(async () => {
  [system, browser, notifications] = await Promise.all([
    startSystem(),
    launchChromium(),
    new TopicReader(inject('kafkaBrokers')).start([topics.notifications]),
  ]);
  // A P1 discharge: reablement (ref-1) and equipment (ref-2) in place, a lead with a number to call,
  // and the patient's daughter given access to the plan.
  const steps: [string, unknown][] = [
    ['discharge-ready', { date: dayFromToday(0) }],
    ['assessment', { ...jointAssessment, pathway: 'P1', needs: ['reablement', 'equipment'] }],
    [
      'referral-response',
      { referralId: 'ref-1', agency: 'intermediate-care', response: 'ready', readyFrom: firstVisit },
    ],
    ['referral-response', { referralId: 'ref-2', agency: 'equipment', response: 'ready', readyFrom: firstVisit }],
    ['lead-professional', { scope: 'pathway', role: 'nurse', team: 'Leeds discharge hub', phone: '0113 496 0000' }],
    ['carer-access', { nhsNumber: carerNumber, relationship: 'daughter' }],
  ];
  expect((await system.call('POST', '/pathways', stay)).status).toBe(201);
  for (const [command, body] of steps)
    expect((await system.call('POST', `/pathways/${pathwayId}/${command}`, body)).status, command).toBe(200);
}, 600_000);
afterAll(async () => {
  await notifications?.stop();
  await browser?.close();
  await system?.stop();
});

const notified = (template: string) =>
  notifications.messages.filter(
    (m) => m.key === pathwayId && (m.value.data as { templateId?: string } | undefined)?.templateId === template,
  );

async function openAs(role: 'patient' | 'carer', number: string): Promise<Page> {
  // A context each: the issuer remembers who signed in, as NHS login would.
  const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
  const page = await context.newPage();
  await signInThroughIssuer(page, `${system.api.url}/my-plan?refresh=1`, role, [], number);
  await page.locator('#services li').first().waitFor({ timeout: 20_000 });
  return page;
}

describe('the patient’s plan, on a phone', () => {
  it('the patient sees their services, start dates and whom to call; a moved start shows within seconds and is notified once', async () => {
    const page = await openAs('patient', patientNumber);
    expect(page.url()).toBe(`${system.api.url}/my-plan?refresh=1`);
    expect(await page.locator('#plan-title').textContent()).toBe('Your plan for leaving hospital, Edith Plan');
    const services = await page.locator('#services li').allTextContents();
    expect(services).toEqual([
      `Reablement (help to get back to doing things for yourself)The reablement team in Leeds will start reablement (help to get back to doing things for yourself) from ${spoken(firstVisit)}.`,
      `Equipment for your homeThe community equipment service will start equipment for your home from ${spoken(firstVisit)}.`,
    ]);
    expect(await page.locator('#contact').textContent()).toBe(
      'Your main contact is the nurse at Leeds discharge hub, on 0113 496 0000.',
    );
    expect(await page.locator('#phone-link').getAttribute('href')).toBe('tel:01134960000');
    expect(await page.locator('#carers li').allTextContents()).toEqual([
      'Your daughter can see this plan.Stop them seeing it',
    ]);
    // WCAG 2.x A and AA at 320 px, with nothing wider than the screen.
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    // Nothing the hospital holds about them beyond their name, nothing of the staff.
    const text = (await page.locator('body').textContent()) ?? '';
    for (const value of [
      patientNumber,
      carerNumber,
      stay.patient.dateOfBirth,
      stay.patient.address.postcode,
      stay.admissionId,
      stay.site,
      'test:discharge-team',
      'P1',
      'ready_for_discharge',
    ])
      expect(text).not.toContain(value);
    await notifications.waitFor(() => notified('start-date-set').length >= 2);

    // The reablement team moves its first visit, over its own token.
    const provider = await system.token('agency:intermediate-care');
    const moved = Date.now();
    expect(
      (
        await system.callWith(provider, 'POST', `/pathways/${pathwayId}/start-date-moved`, {
          referralId: 'ref-1',
          agency: 'intermediate-care',
          readyFrom: movedVisit,
        })
      ).status,
    ).toBe(200);
    await eventually(
      () => page.locator('#services li').first().textContent(),
      (t) => t?.endsWith(`from ${spoken(movedVisit)}.`) ?? false,
      10_000,
    );
    console.log(`moved start shown on the page ${Date.now() - moved} ms after the provider's command`);
    await notifications.waitFor(() => notified('start-date-moved').length > 0);
    // Let any duplicate arrive before counting.
    await new Promise((r) => setTimeout(r, 2_000));
    const [message, ...more] = notified('start-date-moved');
    expect(more).toEqual([]);
    expect(message.value.data).toEqual({
      notificationId: message.value.id,
      recipient: { nhsNumber: patientNumber },
      channel: 'nhsapp',
      templateId: 'start-date-moved',
      personalisation: { provider: 'the reablement team', day: spoken(movedVisit), previousDay: spoken(firstVisit) },
    });
    expect(notified('start-date-set')).toHaveLength(2);
    await page.context().close();
  });

  it('the carer sees the same plan without the patient’s choices; once the patient ends their access, 403', async () => {
    const carerToken = await system.token('carer', { nhsNumber: carerNumber, subject: 'test:carer' });
    // The access reaches the read model the carer is found through.
    await eventually(
      () => system.callWith(carerToken, 'GET', '/me'),
      (r) => r.status === 200,
      20_000,
    );
    const carer = await openAs('carer', carerNumber);
    expect(await carer.locator('#plan-title').textContent()).toBe("Edith Plan's plan for leaving hospital");
    expect(await carer.locator('#services li').count()).toBe(2);
    expect(await carer.locator('#contact').textContent()).toContain('0113 496 0000');
    expect(await carer.locator('#carers-section').isHidden()).toBe(true);
    expect(await carer.getByRole('button', { name: 'Stop sharing' }).count()).toBe(0);
    expect(await accessibilityViolations(carer)).toEqual([]);

    // The patient, on their own phone, stops their daughter seeing the plan.
    const patient = await openAs('patient', patientNumber);
    patient.on('dialog', (dialog) => void dialog.accept());
    await patient.getByRole('button', { name: 'Stop them seeing it' }).click();
    await eventually(
      () => patient.locator('#plan-status').textContent(),
      (t) => t === 'They can no longer see your plan.',
    );
    expect(await patient.locator('#carers li').allTextContents()).toEqual(['Nobody else can see this plan.']);

    const refused = await system.callWith(carerToken, 'GET', '/me');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/no carer access to a plan is recorded for you, or the patient has ended it/);
    await eventually(
      () => carer.locator('#where').textContent(),
      (t) => /the patient has ended it/.test(t ?? ''),
      10_000,
    );
    // Neither may read the pathway as staff do.
    expect((await system.callWith(carerToken, 'GET', `/pathways/${pathwayId}`)).status).toBe(403);
  });
});
