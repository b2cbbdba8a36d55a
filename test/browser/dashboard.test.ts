// The dashboard in a real browser against a real server: sign-in from an invitation, pages, isolation.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, openTab, screenshot, startSite, WEB_BUILT, type Site, type Tab } from './harness.ts';

describe.skipIf(browserTestsSkipped !== null)('dashboard in Chromium', () => {
  let site: Site;
  let dealer: { id: string; key: string };
  let customerA: { id: string; key: string };
  let customerB: { id: string; key: string };
  let dealerTab: Tab;

  beforeAll(async () => {
    expect(WEB_BUILT, 'dist/web is built by npm install (npm run build:web)').toBe(true);
    site = await startSite();
    dealer = await site.account('Evergreen Print Services');
    customerA = await site.account('Acme Legal', dealer.key);
    customerB = await site.account('Birch Clinic', dealer.key);
    // Figures for the overview: deposits over the past months and a certificate (a direct transaction).
    const today = new Date();
    for (let m = 0; m < 6; m++) {
      const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - m, 2)).toISOString().slice(0, 10);
      await site.api('POST', '/v1/deposits', { pages: 12_000 + m * 2_500, date: day }, customerA.key);
      await site.api('POST', '/v1/deposits', { pages: 8_000 + m * 1_000, date: day }, customerB.key);
    }
    await site.api('POST', '/v1/transactions', { pages: 16_667 }, customerA.key);
    // The dealer chooses where its trees go; the overview shows that project on the map.
    const projects: Array<{ id: string; status: string; forest_latitude: number | null }> = await site.api('GET', '/v1/forestry/projects', undefined, dealer.key);
    const planted = projects.find((p) => p.status === 'active' && p.forest_latitude !== null)!;
    await site.api('POST', `/v1/projects/${planted.id}`, {}, dealer.key);
  }, 120_000);

  afterAll(async () => site?.close());

  it('signs a dealer in from an invitation link, then by email and password with the keyboard', async () => {
    dealerTab = await openTab(site);
    const { page } = dealerTab;
    const link = await site.invite(dealer.id, 'dana@evergreen.example');
    await page.goto(link);
    await page.getByText('dana@evergreen.example').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('evergreen forest 42');
    await page.getByLabel('Repeat the password').fill('evergreen forest 42');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: /Overview/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    // The link worked once.
    const second = await openTab(site);
    await second.page.goto(link);
    await second.page.getByText(/already been used/).waitFor();
    await second.context.close();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
    // Labels and button as a person reads them; typed and submitted with the keyboard only.
    await page.getByLabel('Email').focus();
    await page.keyboard.type('dana@evergreen.example');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("type")')).toBe('password');
    await page.keyboard.type('wrong password!');
    await page.keyboard.press('Enter');
    await page.getByText('email or password is wrong').waitFor();
    await page.getByLabel('Password').fill('evergreen forest 42');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Overview/ }).waitFor();
  });

  it('shows the overview: figures, the monthly chart, the project with coordinates, the latest certificate, CO2', async () => {
    const { page } = dealerTab;
    await page.goto(`${site.url}/`);
    await page.getByTestId('figure-ltd').waitFor();
    const expected = await site.api('GET', '/v1/account', undefined, dealer.key);
    await expect.poll(() => page.getByTestId('figure-ltd').innerText()).toContain(expected.ltd_pages.toLocaleString('en-US'));
    await page.locator('[data-testid="chart"] canvas').waitFor();
    await page.getByText(/4.5 g per standard page/).waitFor();
    await page.getByText(/PaperCut/).first().waitFor();
    await page.getByTestId('coordinates').waitFor();
    await screenshot(page, 'overview');

    // Drill into a customer: its own certificate and its project's coordinates.
    await page.goto(`${site.url}/?account=${customerA.id}`);
    await page.getByText('Viewing').waitFor();
    await page.getByTestId('latest-certificates').getByRole('link', { name: 'PDF' }).waitFor();
    await page.getByTestId('coordinates').waitFor();
    expect(await page.getByTestId('coordinates').innerText()).toMatch(/° [NS], .*° [EW]/);
  });

  it('works at phone width without sideways scrolling', async () => {
    const phone = await openTab(site, { width: 390, height: 844 });
    await phone.context.addCookies(await dealerTab.context.cookies());
    await phone.page.goto(`${site.url}/`);
    await phone.page.locator('[data-testid="chart"] canvas').waitFor();
    const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'overview-phone');
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('manages the account tree: create, rename, deactivate, with API errors beside their field', async () => {
    const { page } = dealerTab;
    await page.getByRole('link', { name: 'Back to Evergreen Print Services' }).click();
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('row', { name: /Acme Legal/ }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('   ');
    await page.getByRole('button', { name: 'Create account' }).click();
    const error = page.locator('.field.invalid .field-error');
    await error.waitFor();
    expect(await error.innerText()).toBe('name must not be blank');

    await page.getByLabel('Name', { exact: true }).fill('Cedar Schools');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('row', { name: /Cedar Schools/ }).waitFor();
    const id = await page.getByRole('row', { name: /Cedar Schools/ }).getAttribute('data-account');
    const row = page.locator(`tr[data-account="${id}"]`);
    await row.getByRole('button', { name: 'Rename' }).click();
    await row.getByLabel('New name').fill('Cedar School District');
    await row.getByRole('button', { name: 'Save' }).click();
    const renamed = page.getByRole('row', { name: /Cedar School District/ });
    await renamed.waitFor();
    await renamed.getByRole('button', { name: 'Deactivate' }).click();
    await renamed.getByText('Inactive').waitFor();
    const children = await site.api('GET', '/v1/accounts', undefined, dealer.key);
    expect(children.find((c: { name: string }) => c.name === 'Cedar School District')?.status).toBe('inactive');
    await screenshot(page, 'accounts');
  });

  it('invites users and creates an API key shown once, then revokes it', async () => {
    const { page } = dealerTab;
    await page.getByRole('link', { name: 'Users & API keys' }).click();
    await page.getByRole('form', { name: 'Invite a user' }).getByLabel('Email').fill('sam@evergreen.example');
    await page.getByRole('button', { name: 'Invite user' }).click();
    const link = await page.getByTestId('shown-once').first().innerText();
    expect(link).toMatch(/\/set-password\?token=/);

    await page.getByLabel('Label').fill('billing export');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText(/API key .*…/).waitFor();
    const key = (await page.getByTestId('shown-once').last().innerText()).trim();
    expect((await fetch(`${site.url}/v1/account`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    await screenshot(page, 'users');
    const item = page.getByRole('listitem').filter({ hasText: 'billing export' });
    await item.getByRole('button', { name: 'Revoke' }).click();
    await item.getByText(/revoked/).waitFor();
    expect((await fetch(`${site.url}/v1/account`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  });

  it('lets a customer\'s user download its certificate PDF but never reach its sibling\'s pages', async () => {
    const tab = await openTab(site);
    const { page } = tab;
    await page.goto(await site.invite(customerA.id, 'lee@acme.example'));
    await page.getByLabel('Password', { exact: true }).fill('acme legal 12345');
    await page.getByLabel('Repeat the password').fill('acme legal 12345');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('link', { name: 'Customer' }).click();
    const pdfLink = page.getByRole('link', { name: 'PDF' }).first();
    await pdfLink.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), pdfLink.click()]);
    const file = await download.path();
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

    for (const p of ['/', '/customer', '/users', '/accounts']) {
      await page.goto(`${site.url}${p}?account=${customerB.id}`);
      await page.getByText('Account not found').waitFor();
      expect(await page.getByText('Birch Clinic').count()).toBe(0);
    }
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('lets a person with a user in two accounts choose the account after signing in, and switch', async () => {
    const tab = await openTab(site);
    const { page } = tab;
    const password = 'two accounts 2021';
    // The dealer and its customer each invite the same person, who sets the same password twice.
    for (const account of [dealer, customerA]) {
      await page.goto(await site.invite(account.id, 'kim@two.example'));
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Repeat the password').fill(password);
      await page.getByRole('button', { name: 'Set password and sign in' }).click();
      await page.getByRole('heading', { name: /Overview/ }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    }
    await page.getByLabel('Email').fill('kim@two.example');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Choose an account' }).waitFor();
    await page.getByRole('button', { name: 'Acme Legal' }).click();
    await page.getByRole('heading', { name: /Overview · Acme Legal/ }).waitFor();
    await page.getByRole('link', { name: 'Switch account' }).click();
    await page.getByRole('button', { name: 'Evergreen Print Services' }).click();
    await page.getByRole('heading', { name: /Overview · Evergreen Print Services/ }).waitFor();
    expect(tab.errors).toEqual([]);
    await tab.context.close();
  });

  it('logged no console errors on the dealer\'s pages', () => {
    expect(dealerTab.errors).toEqual([]);
  });
});
