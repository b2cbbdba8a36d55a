// A dealer's first hour in Chromium: servers and feeds shown by name, health words that say what is known, used
// entities marked, the customers' certificates on the Overview, a customer picker, charts from the first data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { closeMonth } from '../../src/ledger/month-close.ts';
import { browserTestsSkipped, signedInTab, startSite, type Site, type Tab } from './harness.ts';

const DAY = 86_400_000;

/** 'YYYY-MM' of the month `back` months before now. */
function monthBack(back: number): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
}

describe.skipIf(browserTestsSkipped !== null)('a dealer\'s first hour in Chromium', () => {
  let sandbox: Sandbox;
  let site: Site;
  let dealer: { id: string; key: string };
  let acme: { id: string; key: string };
  let birch: { id: string; key: string };
  let tab: Tab;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 11, customers: 2, devicesPerCustomer: 3 });
    site = await startSite();
    dealer = await site.account('Evergreen Print Services');
    acme = await site.account('Acme Legal', dealer.key);
    birch = await site.account('Birch Clinic', dealer.key);
    // Two months back: pages for both customers, closed into their certificates; nothing before.
    const month = monthBack(2);
    await site.api('POST', `/v1/accounts/${acme.id}/deposits`, { pages: 16_666, date: `${month}-10` }, dealer.key);
    await site.api('POST', `/v1/accounts/${birch.id}/deposits`, { pages: 8_333, date: `${month}-12` }, dealer.key);
    await closeMonth(site.server.db, month as `${number}-${number}`, { clock: () => new Date(), graceDays: 2 });
    tab = await signedInTab(site, dealer.id, 'dana@evergreen.example', 'evergreen forest 42');
  }, 120_000);

  afterAll(async () => {
    await site?.close();
    await sandbox?.close();
  });

  it('lists the customers\' latest certificates on the dealer\'s Overview, and starts the chart at the first month with pages', async () => {
    const { page } = tab;
    const list = page.getByTestId('latest-certificates');
    await list.waitFor();
    const items = await list.locator('li').allInnerTexts();
    expect(items).toHaveLength(2);
    // Newest first: Birch's deposit came later in the month, but both certificates are dated the month's end.
    expect(items.join('\n')).toMatch(/Acme Legal · \d{4}-\d{2}-\d{2} · 2\.000 trees/);
    expect(items.join('\n')).toMatch(/Birch Clinic · \d{4}-\d{2}-\d{2} · 1\.000 trees/);
    await expect(list.getByRole('link', { name: 'View' }).first().getAttribute('href')).resolves.toMatch(/\/certificates\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Latest certificates of your customers' }).waitFor();
    // The API behind it: the subtree's certificates with their account, newest first.
    const certificates = await site.api('GET', '/v1/certificates?include_descendants=true', undefined, dealer.key);
    expect(certificates.map((c: { account_name: string }) => c.account_name).sort()).toEqual(['Acme Legal', 'Birch Clinic']);
    expect(await site.api('GET', '/v1/certificates', undefined, dealer.key)).toEqual([]);

    const chart = page.getByTestId('chart');
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-first')).toBe(`${monthBack(2)}-01`);
    expect(tab.errors).toEqual([]);
  });

  it('picks a customer on the Customer page', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Customer', exact: true }).click();
    const picker = page.getByLabel('Customer', { exact: true });
    await picker.waitFor();
    await page.getByText('Choose a customer to see its deposits').waitFor();
    expect(await picker.locator('option').allInnerTexts()).toEqual(['Evergreen Print Services (your own account)', 'Acme Legal', 'Birch Clinic']);
    await picker.selectOption({ label: 'Birch Clinic' });
    await page.getByRole('heading', { name: /Customer · Birch Clinic/ }).waitFor();
    expect(new URL(page.url()).searchParams.get('account')).toBe(birch.id);
    await page.getByText(/1\.000 trees/).first().waitFor();
    expect(tab.errors).toEqual([]);
  });

  it('names servers and feeds, marks used entities, and says what is known of health', async () => {
    const { page } = tab;
    const pt = sandbox.printtracker;
    const server = await site.api('POST', `/v1/accounts/${dealer.id}/servers`, {
      type: 'printtracker', label: 'Print Tracker – main office', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey,
    }, dealer.key);
    const entities = await site.api('GET', `/v1/accounts/${dealer.id}/servers/${server.id}/entities`, undefined, dealer.key);
    const entity = entities.find((e: { id: string }) => e.id === pt.customerEntityIds[0]);
    // Activated in the future: nothing collected yet. No external_name sent: Canopy asks the server for it.
    const future = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    const feed = await site.api('POST', `/v1/accounts/${acme.id}/feeds`, { server_id: server.id, external_id: entity.id, activated_at: future }, dealer.key);
    expect(feed.external_name).toBe(entity.name);

    await page.goto(`${site.url}/integrations`);
    // Two Pharos servers on one address, told apart by their labels.
    for (const tenant of sandbox.pharos.tenants.slice(0, 2)) {
      await page.getByRole('button', { name: 'Add server' }).click();
      const form = page.getByRole('form', { name: 'Add a server' });
      await form.getByLabel('Type').selectOption('pharos');
      await form.getByLabel('Label (the tenant’s name)').fill(tenant.name);
      await form.getByLabel(/API URL/).fill(sandbox.pharos.url);
      await form.getByLabel('Authorization key').fill(tenant.key);
      await form.getByRole('button', { name: 'Test and save' }).click();
      await page.locator('[data-server]').filter({ hasText: tenant.name }).waitFor();
    }
    const cards = await page.locator('[data-server] h3').allInnerTexts();
    expect(cards.some((c) => c.startsWith('Print Tracker – main office')), cards.join(' / ')).toBe(true);
    expect(await page.locator('[data-server]').allInnerTexts()).not.toContainEqual(expect.stringMatching(/User [0-9a-f]|since never|checked never/));

    const row = page.locator(`[data-feed="${feed.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain(entity.name);
    expect(await row.innerText()).toContain('Waiting for the first reading');
    expect(await row.innerText()).not.toMatch(/never/);

    const form = page.getByRole('form', { name: 'New feed' });
    const servers = await form.getByLabel('Server').locator('option').allInnerTexts();
    expect(servers).toEqual(expect.arrayContaining(sandbox.pharos.tenants.slice(0, 2).map((t) => `${t.name} (Pharos Cloud)`)));
    expect(new Set(servers).size).toBe(servers.length);
    await form.getByLabel('Server').selectOption({ label: 'Print Tracker – main office (Print Tracker)' });
    const used = form.getByLabel('Upstream entity').locator(`option[value="${entity.id}"]`);
    await expect.poll(() => used.innerText()).toContain('has a feed (Acme Legal)');
    expect(await used.isDisabled()).toBe(true);
    expect(tab.errors).toEqual([]);
  });
});
