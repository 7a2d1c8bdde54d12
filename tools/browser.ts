import axe from 'axe-core';
import { chromium, type Page } from 'playwright-core';
import { ensureChromium } from './infra/chromium';

/**
 * Signs a page in as a person would: the page's Sign in button, the development issuer's role
 * page, back through /signed-in with a one-time code the page trades (PKCE) for its token. A
 * patient or carer gives their NHS number there.
 */
export async function signInThroughIssuer(
  page: Page,
  address: string,
  role: 'manager' | 'discharge-team' | 'patient' | 'carer',
  sites: string[] = [],
  nhsNumber?: string,
) {
  await page.goto(address);
  await page.click('#sign-in-button');
  await page.waitForURL(/\/dev-issuer\/authorize/);
  await page.check(`input[name=role][value="${role}"]`);
  await page.fill('#sites', sites.join(', '));
  // A patient or carer: the NHS number NHS login would prove.
  if (nhsNumber) await page.fill('#nhs_number', nhsNumber);
  await page.click('button[value=sign-in]');
  await page.locator('#view').waitFor({ state: 'visible', timeout: 20_000 });
}

/** The suite's Chromium (Debian's, installed when missing); as root it needs --no-sandbox, and the pages it opens are our own, on loopback. */
export function launchChromium() {
  return chromium.launch({ executablePath: ensureChromium(), args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/**
 * axe-core's WCAG 2.x A and AA rules, run in the page as it stands (evaluated over the DevTools
 * protocol, which the page's CSP does not govern): each violation as `rule: target, target …`.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  // The function runs in the page, where axe-core is now a global (the test's tsconfig has no DOM types).
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })`,
  )) as axe.AxeResults;
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}
