import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admission, jointAssessment } from './support/fixtures';
import { accessibilityViolations, launchChromium, signInThroughIssuer } from '../tools/browser';
import { eventually, startSystem } from './support/system';

// The discharge team's board in a real headless Chromium against the real system: a co-ordinator
// signs in through the issuer, works two stays from the page, and sees the board change.
let system: Awaited<ReturnType<typeof startSystem>>;
let browser: Browser;
const site = `BOARD-${Date.now().toString(36).toUpperCase()}`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
const waiting = admission({ site, ward: 'Ward 7', admittedAt: new Date(Date.now() - 6 * 86_400_000).toISOString() });
const waitingId = `pathway-${waiting.admissionId}`;
const ready = admission({ site, admittedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() });
const readyId = `pathway-${ready.admissionId}`;

beforeAll(async () => {
  [system, browser] = await Promise.all([startSystem(), launchChromium()]);
  // Delayed three days, waiting on reablement; and one going home today with no new support.
  await system.call('POST', '/pathways', waiting);
  await system.call('POST', `/pathways/${waitingId}/discharge-ready`, { date: daysAgo(3) });
  await system.call('POST', `/pathways/${waitingId}/assessment`, {
    ...jointAssessment,
    pathway: 'P1',
    needs: ['reablement'],
  });
  await system.call('POST', '/pathways', ready);
  await system.call('POST', `/pathways/${readyId}/discharge-ready`, { date: daysAgo(0) });
  await system.call('POST', `/pathways/${readyId}/assessment`, { ...jointAssessment, pathway: 'P0', needs: [] });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('the discharge team’s board', () => {
  it('a co-ordinator signs in, sees the site by stage with next actions, records a delay reason, an agency’s answer and a discharge, and the board changes', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await signInThroughIssuer(page, `${system.api.url}/board?refresh=1&site=${site}`, 'discharge-team', [site]);
    expect(page.url()).toBe(`${system.api.url}/board?refresh=1&site=${site}`);

    const waitingRow = page.locator(`section[data-stage="arranging"] tr[data-pathway-id="${waitingId}"]`);
    const readyRow = page.locator(`section[data-stage="ready_for_discharge"] tr[data-pathway-id="${readyId}"]`);
    await waitingRow.waitFor({ timeout: 20_000 });
    await readyRow.waitFor();
    const cells = await waitingRow.locator('td').allTextContents();
    // The patient as initials and age band at admission ("Test Patient", born 1938), and the ward.
    expect(cells.slice(1, 6)).toEqual(['TP, 85+', 'Ward 7', 'P1', dayText(daysAgo(3)), '3']);
    expect(cells[6]).toMatch(/^Chase Intermediate care to accept by /);
    expect(cells[7]).toMatch(/^Reablement — Intermediate care: Requested, due /);
    expect(cells[8]).toBe('None');
    expect(cells[9]).toContain('Awaiting care at home (P1) — Intermediate care');
    expect(await readyRow.locator('td').nth(2).textContent()).toBe('–');
    expect(await page.content()).not.toContain('Test Patient');
    expect(await readyRow.locator('td.next').textContent()).toBe(`Record the discharge by ${dayText(daysAgo(0))}`);
    expect(await page.locator('#counts').textContent()).toBe('2 in hospital · 1 delayed now');
    // Accessible as it stands: axe-core finds nothing (WCAG 2.1 A and AA, best practice).
    expect(await accessibilityViolations(page)).toEqual([]);

    // A delay reason, from the page.
    await waitingRow.getByRole('button', { name: `Record for ${waitingId}` }).click();
    // And with the command form open.
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.selectOption('#command', 'delay-reason');
    await page.selectOption('#reason', 'awaiting_transport');
    await page.selectOption('#reason-agency', 'acute-trust');
    await page.click('#command-form button[type=submit]');
    await eventually(
      () => page.locator('#command-result').textContent(),
      (text) => text === `Recorded: Delay reason for ${waitingId}.`,
    );
    await eventually(
      () => waitingRow.locator('td.reasons').textContent(),
      (text) => text?.includes('Awaiting transport — Hospital') ?? false,
      20_000,
    );

    // The reablement team phones to accept: the next action moves on to readiness.
    await waitingRow.getByRole('button', { name: `Record for ${waitingId}` }).click();
    await page.selectOption('#command', 'referral-response');
    await page.selectOption('#response', 'accepted');
    await page.click('#command-form button[type=submit]');
    await eventually(
      () => waitingRow.locator('td.next strong').textContent(),
      (text) => text === 'Chase Intermediate care to be ready',
      20_000,
    );

    // A refused command says why, and changes nothing.
    await readyRow.getByRole('button', { name: `Record for ${readyId}` }).click();
    await page.selectOption('#command', 'referral-response');
    await page.click('#command-form button[type=submit]');
    await eventually(
      () => page.locator('#command-result').textContent(),
      (text) => /^Not recorded: /.test(text ?? ''),
    );

    // The discharge: the stay leaves the board.
    await page.selectOption('#command', 'discharge');
    await page.fill('#date', daysAgo(0));
    await page.selectOption('#destination', 'usual-residence');
    await page.click('#command-form button[type=submit]');
    await readyRow.waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.locator('#counts').textContent()).toBe('1 in hospital · 1 delayed now');
    const state = await system.call('GET', `/pathways/${readyId}`);
    expect(state.body.state.discharge).toMatchObject({ date: daysAgo(0), destination: 'usual-residence' });
    // Recorded as the signed-in person (the token the page got from the issuer).
    type Entry = { event: { type: string }; actor?: { subject: string } };
    const discharged = (timeline: Entry[]) => timeline.find((entry) => entry.event.type === 'discharge.recorded');
    const timeline = await eventually(
      async () => (await system.call('GET', `/pathways/${readyId}/timeline`)).body.timeline as Entry[],
      (t) => discharged(t) !== undefined,
    );
    expect(discharged(timeline)?.actor?.subject).toBe('dev:discharge-team');

    expect(problems.filter((p) => !/status of 4\d\d/.test(p))).toEqual([]);
    const text = await page.locator('body').textContent();
    for (const personal of [waiting.patient.name, waiting.patient.nhsNumber, ready.patient.name])
      expect(text).not.toContain(personal);
  });

  it('a co-ordinator limited to another site sees none of these stays', async () => {
    const page = await browser.newPage();
    await signInThroughIssuer(page, `${system.api.url}/board?refresh=1`, 'discharge-team', ['ELSEWHERE']);
    await eventually(
      () => page.locator('#counts').textContent(),
      (text) => /in hospital/.test(text ?? ''),
    );
    expect(await page.locator(`tr[data-pathway-id="${waitingId}"]`).count()).toBe(0);
  });

  it('the accessibility check finds what it should (an image without alternative text)', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1><img src="data:,"></main></body></html>',
    );
    expect(await accessibilityViolations(page)).toEqual([expect.stringMatching(/^image-alt \(critical\)/)]);
  });
});

/** As the page writes a UTC day. */
function dayText(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}
