// `npm run screenshots`: the README's screenshots (docs/screenshots/), taken in Chromium from a running
// `npm run demo`, so they show what a new user sees. CANOPY_URL (default http://127.0.0.1:3000) names the demo.
import fs from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/browser/harness.ts';

const url = (process.env.CANOPY_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const email = process.env.DEMO_EMAIL ?? 'dealer@demo.example';
const password = process.env.DEMO_PASSWORD ?? 'canopy-demo-2026';
const dir = 'docs/screenshots';

async function shoot(page: Page, name: string) {
  // Charts and maps settle after their data arrives.
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
  process.stdout.write(`${dir}/${name}.png\n`);
}

async function main() {
  fs.mkdirSync(dir, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(`${url}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shoot(page, 'sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid="chart"] canvas').waitFor();
    await page.getByTestId('latest-certificates').waitFor();
    await page.getByTestId('coordinates').waitFor();
    await shoot(page, 'overview');

    await page.goto(`${url}/accounts`);
    await page.locator('tr[data-account]').nth(1).waitFor();
    await shoot(page, 'accounts');

    await page.goto(`${url}/integrations`);
    await page.locator('tr[data-feed]').first().waitFor();
    await shoot(page, 'integrations');

    await page.goto(`${url}/customer`);
    const picker = page.getByLabel('Customer', { exact: true });
    await picker.waitFor();
    const first = await picker.locator('option', { hasText: process.env.DEMO_CUSTOMER ?? 'Northwind Schools' }).getAttribute('value');
    await picker.selectOption(first!);
    await page.locator('.feed-devices').first().waitFor();
    await page.locator('[data-testid="chart"] canvas').waitFor();
    await shoot(page, 'customer');

    await page.goto(`${url}/users`);
    await page.getByText(email).first().waitFor();
    await shoot(page, 'users');

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${url}/`);
    await small.locator('[data-testid="chart"] canvas').waitFor();
    await shoot(small, 'overview-phone');
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
