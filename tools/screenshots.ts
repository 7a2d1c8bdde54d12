import path from 'node:path';
import { accessibilityViolations, launchChromium, signInThroughIssuer } from './browser';
import { demoPlanPatient } from './fixtures';

/**
 * `npm run screenshots`: docs/architecture.md's pictures of the staff pages and README's of the patient's plan, taken from a running `npm start`
 * after `npm run demo` (HOMEWARD_API_URL for another address). Signs in through the development
 * issuer as a person would, the manager for docs/dashboard.png and the discharge team of
 * LEEDS-GEN for docs/board.png, and a demo patient (NHS login's part, played by the issuer) for
 * docs/my-plan.png at a phone's width. The tests take none: a picture proves nothing, and changes each run.
 */
const api = (process.env.HOMEWARD_API_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const docs = path.join(__dirname, '..', 'docs');

async function main() {
  const browser = await launchChromium();
  try {
    const dashboard = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signInThroughIssuer(dashboard, `${api}/dashboard`, 'manager');
    await dashboard.locator('#delayed tbody tr[data-pathway-id]').first().waitFor({ timeout: 20_000 });
    await dashboard.screenshot({ path: path.join(docs, 'dashboard.png'), fullPage: true });
    const board = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await signInThroughIssuer(board, `${api}/board?site=LEEDS-GEN`, 'discharge-team', ['LEEDS-GEN']);
    await board.locator('#stages tr[data-pathway-id]').first().waitFor({ timeout: 20_000 });
    await board.screenshot({ path: path.join(docs, 'board.png'), fullPage: true });
    // A phone's width at one pixel per point: the picture stays small.
    const plan = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await signInThroughIssuer(plan, `${api}/my-plan`, 'patient', [], demoPlanPatient());
    await plan.locator('#services li').first().waitFor({ timeout: 20_000 });
    // The first screens (where they are, dates, support, whom to call); the consents below run long.
    await plan.screenshot({
      path: path.join(docs, 'my-plan.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 360, height: 1480 },
    });
    // Worth knowing while the pages are open: what a person with a screen reader would meet.
    for (const [name, page] of [
      ['dashboard', dashboard],
      ['board', board],
      ['my-plan', plan],
    ] as const) {
      const violations = await accessibilityViolations(page);
      console.error(
        `${name}: ${violations.length ? violations.join('\n  ') : 'no accessibility violations (axe-core)'}`,
      );
    }
    console.error(
      `Wrote ${['dashboard', 'board', 'my-plan'].map((name) => path.join(docs, `${name}.png`)).join(', ')}`,
    );
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
