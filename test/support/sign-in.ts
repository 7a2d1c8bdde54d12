import type { Page } from 'playwright-core';

/**
 * Signs a page in as a person would: the page's Sign in button, the development issuer's role
 * page, back through /signed-in with a one-time code the page trades (PKCE) for its token.
 */
export async function signInThroughIssuer(page: Page, address: string, role: 'manager' | 'discharge-team', sites: string[] = []) {
  await page.goto(address);
  await page.click('#sign-in-button');
  await page.waitForURL(/\/dev-issuer\/authorize/);
  await page.check(`input[name=role][value="${role}"]`);
  await page.fill('#sites', sites.join(', '));
  await page.click('button[value=sign-in]');
  await page.locator('#view').waitFor({ state: 'visible', timeout: 20_000 });
}
