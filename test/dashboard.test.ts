import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayBands } from '../domain';
import { admission, jointAssessment } from './support/fixtures';
import { accessibilityViolations, launchChromium, signInThroughIssuer } from '../tools/browser';
import { eventually, startSystem } from './support/system';

// The managers' dashboard in a real headless Chromium against the real system.
let system: Awaited<ReturnType<typeof startSystem>>;
let browser: Browser;
const site = `DASH-${Date.now().toString(36).toUpperCase()}`;
const body = admission({ site, ward: 'Ward 7', admittedAt: new Date(Date.now() - 9 * 86_400_000).toISOString() });
const id = `pathway-${body.admissionId}`;
// Delayed three days, then discharged today: open (the readmission watch), its delay history.
const gone = admission({ site, admittedAt: new Date(Date.now() - 9 * 86_400_000).toISOString() });
const goneId = `pathway-${gone.admissionId}`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  [system, browser] = await Promise.all([startSystem(), launchChromium()]);
  await system.call('POST', '/pathways', body);
  await system.call('POST', `/pathways/${id}/discharge-ready`, { date: daysAgo(4) });
  await system.call('POST', `/pathways/${id}/assessment`, { ...jointAssessment, pathway: 'P1', needs: ['reablement'] });
  await system.call('POST', '/pathways', gone);
  await system.call('POST', `/pathways/${goneId}/discharge-ready`, { date: daysAgo(3) });
  await system.call('POST', `/pathways/${goneId}/assessment`, { ...jointAssessment, pathway: 'P0', needs: [] });
  expect(
    await system.call('POST', `/pathways/${goneId}/discharge`, { date: daysAgo(0), destination: 'usual-residence' }),
  ).toMatchObject({ status: 200 });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('the dashboard', () => {
  it('a manager signs in through the issuer (code + PKCE), sees labelled figures update by themselves, filters by clicking (kept in the address), exports, opens a timeline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await signInThroughIssuer(page, `${system.api.url}/dashboard?refresh=1`, 'manager');
    // Back at the page's own address: the code and state are gone from the address bar.
    expect(page.url()).toBe(`${system.api.url}/dashboard?refresh=1`);
    expect(await page.locator('#who').textContent()).toBe('Signed in as dev:manager');
    // The code went to the token endpoint once, with the verifier; the token never in an address.
    expect(requests.filter((url) => url.endsWith('/dev-issuer/token'))).toHaveLength(1);

    const row = page.locator(`#delayed tbody tr[data-pathway-id="${id}"]`);
    await row.waitFor({ timeout: 20_000 });
    // The patient as initials and age band at admission ("Test Patient", born 1938), never the name; the ward;
    // labels from the one table; whom it waits on, once, since when.
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 9)).toEqual([
      id,
      'TP, 85+',
      'Ward 7',
      'Arranging support',
      site,
      'Leeds',
      dayText(daysAgo(4)),
      '4',
      '4',
    ]);
    expect(cells[9]).toMatch(/^Intermediate care since \d{1,2} \w{3} \d{4}$/);
    expect(cells[10]).toBe('Awaiting care at home (P1) (Intermediate care)');
    expect(await page.content()).not.toContain('Test Patient');
    // Two stays with a DRD, one delayed now (the other went home, its delay history), 4 + 3 bed-days lost.
    await eventually(
      () => page.locator(`#by-site tr[data-key="${site}"] td`).allTextContents(),
      (cells) => cells.join() === [site, '2', '1', '7'].join(),
      20_000,
    );

    // A delay reason recorded elsewhere appears without a reload.
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await system.call('POST', `/pathways/${id}/delay-reason`, { code: 'awaiting_transport', agency: 'acute-trust' });
    await eventually(
      () => row.locator('td').last().textContent(),
      (text) => text?.includes('Awaiting transport (Hospital)') ?? false,
      20_000,
    );
    expect(navigations).toEqual([]);

    // Filter by clicking the site's row: the address keeps it.
    await page.locator(`#by-site tr[data-key="${site}"] button`).click();
    await eventually(
      () => page.locator('#delayed-count').textContent(),
      (text) => text === '1',
    );
    expect(new URL(page.url()).searchParams.get('site')).toBe(site);
    // The headline is what the table lists, and the trend's today; the DRD figure the SitRep's (in hospital).
    expect(await page.locator('#delayed tbody tr[data-pathway-id]').count()).toBe(1);
    expect(await page.locator('#drd-count').textContent()).toBe('1');
    expect(await page.locator('#trend svg rect title').last().textContent()).toBe(
      `${daysAgo(0)}: 1 delayed, 1 bed-days lost`,
    );
    const bandRows = await page.locator('#by-band tr[data-key]').all();
    expect(await Promise.all(bandRows.map((row) => row.getAttribute('data-key')))).toEqual([...delayBands]);
    expect(await page.locator('#by-band tr[data-key="4-6"] td').allTextContents()).toEqual(['4–6 days', '1', '1', '4']);
    expect(await page.locator('#by-band tr[data-key="2-3"] td').allTextContents()).toEqual(['2–3 days', '1', '0', '3']);
    // The trend has values on its axis: 0 up to at least the highest day's.
    const axis = (await page.locator('#trend text.y-value').allTextContents()).map(Number);
    expect(axis[0]).toBe(0);
    expect(axis.at(-1)).toBeGreaterThanOrEqual(2);
    await row.locator('a').click();
    await page.locator('#timeline li').first().waitFor();
    const timeline = await page.locator('#timeline li').allTextContents();
    // Local times, what each event said, who once.
    expect(timeline[0]).toMatch(/^#1 \d{1,2} \w{3} \d{4}, \d{2}:\d{2} pathway\.started.* — test:discharge-team$/);
    expect(timeline.at(-1)).toMatch(
      / delay_reason\.recorded \(code Awaiting transport, agency Hospital\) — test:discharge-team$/,
    );
    // The last 30 days for this site: a bed lost each day from a DRD, delayed from the day after. The first
    // stay's DRD was four days ago; the second's three, and it went home today.
    const days = await page.locator('#trend svg rect title').allTextContents();
    expect(days).toHaveLength(30);
    const perDay = [
      [5, 0, 0],
      [4, 0, 1],
      [3, 1, 2],
      [2, 2, 2],
      [1, 2, 2],
      [0, 1, 1],
    ];
    expect(days.slice(-6)).toEqual(
      perDay.map(([n, delayed, lost]) => `${daysAgo(n)}: ${delayed} delayed, ${lost} bed-days lost`),
    );

    // Filter by clicking a reason: it joins the site in the address, and a reload keeps both.
    await page.locator('#by-reason tr[data-key="awaiting_transport"] button').click();
    await eventually(
      () => Promise.resolve(new URL(page.url()).searchParams.get('reason')),
      (reason) => reason === 'awaiting_transport',
    );
    await page.reload();
    await page.locator('#view').waitFor({ state: 'visible', timeout: 20_000 });
    await eventually(
      () => page.locator('#delayed tbody tr[data-pathway-id]').count(),
      (n) => n === 1,
      20_000,
    );
    expect([await page.locator('#site').inputValue(), await page.locator('#reason').inputValue()]).toEqual([
      site,
      'awaiting_transport',
    ]);
    // The trend follows the reason too: held up for transport only today (recorded today), so the days before count nobody.
    const held = await page.locator('#trend svg rect title').allTextContents();
    expect(held.slice(-3)).toEqual(
      [
        [2, 0, 0],
        [1, 0, 0],
        [0, 1, 1],
      ].map(([n, delayed, lost]) => `${daysAgo(n)}: ${delayed} delayed, ${lost} bed-days lost`),
    );

    // Exports: the delay report as filtered, and today's SitRep, downloaded through the secured API.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    expect(csv.suggestedFilename()).toBe(`delays-${daysAgo(0)}.csv`);
    const csvText = fs.readFileSync((await csv.path())!, 'utf8');
    expect(csvText.split('\r\n')[0]).toBe('dimension,key,label,pathways,delayed,bedDaysLost');
    expect(csvText).toContain(`site,${site},,1,1,4`);
    const [sitrep] = await Promise.all([page.waitForEvent('download'), page.click('#export-sitrep')]);
    expect(sitrep.suggestedFilename()).toBe(`sitrep-${daysAgo(0)}.csv`);
    expect(fs.readFileSync((await sitrep.path())!, 'utf8')).toMatch(/^date,site,patients_with_drd,delayed/);
    expect(problems).toEqual([]);
    // Accessible as it stands, its timeline open: axe-core finds nothing (WCAG 2.1 A and AA, best practice).
    await row.locator('a').click();
    await page.locator('#timeline li').first().waitFor();
    expect(await accessibilityViolations(page)).toEqual([]);
    // Nothing personal on the page: it shows codes, dates and agencies only.
    const text = await page.locator('body').textContent();
    for (const personal of [body.patient.name, body.patient.nhsNumber, body.patient.address.postcode])
      expect(text).not.toContain(personal);
  });

  it('shows nothing before sign-in, and nothing after a cancelled one', async () => {
    const page = await browser.newPage();
    await page.goto(`${system.api.url}/dashboard`);
    expect(await page.locator('#view').isHidden()).toBe(true);
    await page.click('#sign-in-button');
    await page.waitForURL(/\/dev-issuer\/authorize/);
    await page.click('button[value=cancel]');
    await eventually(
      () => page.locator('#sign-in-error').textContent(),
      (text) => /not completed: The user cancelled/.test(text ?? ''),
    );
    expect(page.url()).toBe(`${system.api.url}/dashboard`);
    expect(await page.locator('#view').isHidden()).toBe(true);
  });

  it('signs out at the issuer too, and a reload signs in again by itself while signed in', async () => {
    const page = await browser.newPage();
    await signInThroughIssuer(page, `${system.api.url}/dashboard`, 'manager');
    // A reload loses the in-memory token; the issuer's session gives a new one without asking.
    await page.reload();
    await page.locator('#view').waitFor({ state: 'visible', timeout: 20_000 });
    expect(page.url()).toBe(`${system.api.url}/dashboard`);
    await page.click('#sign-out');
    await page.locator('#sign-in').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await page.locator('#view').isHidden()).toBe(true);
    // The issuer asks again: its session ended too.
    await page.click('#sign-in-button');
    await page.waitForURL(/\/dev-issuer\/authorize/);
    expect(await page.locator('input[name=role][value=manager]').count()).toBe(1);
  });

  it('renews its token a minute before it expires, through the issuer’s session without a prompt, and goes on with the new token', async () => {
    // The page's own timers on a clock the test moves (Playwright's, across the renewal's navigations); the issuer and its tokens are real.
    const context = await browser.newContext();
    await context.clock.install();
    const page = await context.newPage();
    const issued: string[] = [];
    page.on('response', async (response) => {
      if (response.url().endsWith('/dev-issuer/token') && response.request().method() === 'POST')
        issued.push(((await response.json()) as { access_token: string }).access_token);
    });
    const sent: string[] = [];
    page.on('request', (request) => {
      const authorization = request.headers().authorization;
      if (authorization && request.url().startsWith(`${system.api.url}/reports/`)) sent.push(authorization);
    });
    // Requests to the issuer's /authorize, and those that showed its role page (a committed navigation, not a redirect at once).
    let authorizations = 0;
    let rolePages = 0;
    page.on('request', (request) => void (request.url().includes('/dev-issuer/authorize') && (authorizations += 1)));
    page.on('framenavigated', (frame) => void (frame.url().includes('/dev-issuer/authorize') && (rolePages += 1)));
    await signInThroughIssuer(page, `${system.api.url}/dashboard`, 'manager');
    await eventually(
      async () => issued.length,
      (n) => n === 1,
    );
    // The development issuer's tokens live an hour (expires_in 3600): nothing happens at 58 minutes.
    await page.clock.fastForward('58:00');
    // Real time too, over a second: the next token's iat differs, so the two tokens can be told apart.
    await page.waitForTimeout(1_100);
    expect(issued).toHaveLength(1);
    expect(page.url()).toBe(`${system.api.url}/dashboard`);

    // At 59: to the issuer, whose session answers at once (no role page), and back with a second token.
    const before = { authorizations, rolePages };
    await page.clock.fastForward('01:30');
    await eventually(
      async () => issued.length,
      (n) => n === 2,
      20_000,
    );
    expect(issued[1]).not.toBe(issued[0]);
    await page.locator('#view').waitFor({ state: 'visible', timeout: 20_000 });
    expect(page.url()).toBe(`${system.api.url}/dashboard`);
    expect(await page.locator('#who').textContent()).toBe('Signed in as dev:manager');
    expect({ authorizations, rolePages }).toEqual({
      authorizations: before.authorizations + 1,
      rolePages: before.rolePages,
    });
    // The figures are read again with the renewed token, and the API takes it.
    await eventually(
      async () => sent.at(-1),
      (last) => last === `Bearer ${issued[1]}`,
      20_000,
    );
    expect(await page.locator('#delayed-count').textContent()).toMatch(/^\d+$/);
    await context.close();
  });
});

/** As the page writes a UTC day. */
function dayText(date: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}
