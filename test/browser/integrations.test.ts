// The Integrations and Customer pages in Chromium against a real server and the upstream sandbox: add a
// server (tested before it is saved), map a customer to an upstream entity from the dropdown, collect now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { browserTestsSkipped, screenshot, signedInTab, startSite, type Site, type Tab } from './harness.ts';

describe.skipIf(browserTestsSkipped !== null)('integrations in Chromium', () => {
  let sandbox: Sandbox;
  let site: Site;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  let tab: Tab;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 7, customers: 2, devicesPerCustomer: 4 });
    site = await startSite();
    dealer = await site.account('Evergreen Print Services');
    customer = await site.account('Acme Legal', dealer.key);
    tab = await signedInTab(site, dealer.id, 'dana@evergreen.example');
  }, 120_000);

  afterAll(async () => {
    await site?.close();
    await sandbox?.close();
  });

  it('tests a new server\'s connection before saving it, and saves only one that connects', async () => {
    const { page } = tab;
    const pt = sandbox.printtracker;
    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByText(/No servers yet/).waitFor();
    await page.getByRole('button', { name: 'Add server' }).click();
    const form = page.getByRole('form', { name: 'Add a server' });
    await form.getByLabel('Type').selectOption('printtracker');
    await form.getByLabel(/API URL/).fill(pt.url);
    await form.getByLabel('Parent entity ID').fill(pt.dealerEntityId);
    await form.getByLabel('API key').fill('00000000-0000-4000-8000-000000000000');
    await form.getByRole('button', { name: 'Test and save' }).click();
    await form.getByText(/Connection test failed/).waitFor();
    expect(await site.api('GET', '/v1/servers', undefined, dealer.key)).toEqual([]);

    await form.getByLabel('API key').fill(pt.apiKey);
    await form.getByRole('button', { name: 'Test and save' }).click();
    await page.locator('[data-server]').waitFor();
    const [server] = await site.api('GET', '/v1/servers', undefined, dealer.key);
    expect(server).toMatchObject({ type: 'printtracker', username: pt.dealerEntityId });
    expect(JSON.stringify(server)).not.toContain(pt.apiKey);
  });

  it('edits a server without ever showing its stored password', async () => {
    const { page } = tab;
    const card = page.locator('[data-server]');
    await card.getByRole('button', { name: 'Edit' }).click();
    const form = card.getByRole('form', { name: 'Edit server' });
    expect(await form.getByLabel('API key').inputValue()).toBe('');
    expect(await page.content()).not.toContain(sandbox.printtracker.apiKey);
    await form.getByLabel('Contact').fill('noc@evergreen.example');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await card.getByRole('form', { name: 'Edit server' }).waitFor({ state: 'detached' });
    const [server] = await site.api('GET', '/v1/servers', undefined, dealer.key);
    expect(server.contact).toBe('noc@evergreen.example');
    const test = await site.api('POST', `/v1/servers/${server.id}/test`, {}, dealer.key);
    expect(test.ok).toBe(true);
  });

  it('creates a feed from the upstream-entity dropdown, collects now with progress, and shows the chart and devices', async () => {
    const { page } = tab;
    const form = page.getByRole('form', { name: 'New feed' });
    await form.getByLabel('Customer account').selectOption({ label: 'Acme Legal' });
    const entity = form.getByLabel('Upstream entity');
    await expect.poll(() => entity.locator('option').count()).toBeGreaterThan(1);
    const customerEntity = sandbox.printtracker.customerEntityIds[0];
    await entity.selectOption(customerEntity);
    const since = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Activation date').fill(since);
    await form.getByLabel('All devices').check();
    await form.getByRole('button', { name: 'Create feed' }).click();
    await page.locator('[data-feed]').waitFor();
    const feeds = await site.api('GET', `/v1/accounts/${customer.id}/feeds`, undefined, dealer.key);
    expect(feeds).toHaveLength(1);
    expect(feeds[0]).toMatchObject({ external_id: customerEntity, collection_scope: 'all' });

    await page.getByRole('button', { name: 'Collect now' }).click();
    const run = page.getByTestId('collection-run');
    await run.waitFor();
    await expect.poll(() => run.getAttribute('data-status'), { timeout: 60_000 }).toMatch(/succeeded|failed/);
    expect(await run.getAttribute('data-status')).toBe('succeeded');
    expect(await run.innerText()).toMatch(/1 of 1 feeds · [\d,]+ pages read · net [+-][\d,]+ pages/);
    // Its backfill may have held the feed: then this run waited for it and says so, else it collected it.
    expect(await page.getByTestId('collection-outcomes').innerText()).toMatch(/^(1 collected|0 collected · 1 collected by another run meanwhile)$/);
    // The feed list is read again once the run is done: health as a badge, and when it last changed.
    const row = page.locator('[data-feed]');
    await row.getByText('Healthy').waitFor();
    expect(await row.innerText()).not.toMatch(/since never/);

    const deposits = await site.api('GET', `/v1/accounts/${customer.id}/deposits`, undefined, dealer.key);
    expect(deposits.length).toBeGreaterThan(0);
    await page.goto(`${site.url}/customer?account=${customer.id}`);
    await page.locator('[data-testid="chart"] canvas').waitFor();
    await page.locator('.feed-devices table tbody tr').first().waitFor();
    await screenshot(page, 'customer');
    expect(tab.errors).toEqual([]);
  });

  it('provisions a Printix tenant for a customer and shows its billing periods', async () => {
    const { page } = tab;
    const px = sandbox.printix;
    await site.account('Birch Clinic', dealer.key);
    await page.goto(`${site.url}/integrations`);
    await page.getByRole('button', { name: 'Add server' }).click();
    const form = page.getByRole('form', { name: 'Add a server' });
    await form.getByLabel('Type').selectOption('printix');
    await form.getByLabel(/API URL/).fill(px.url);
    await form.getByLabel('Client ID').fill(px.clientId);
    await form.getByLabel('Client secret').fill(px.clientSecret);
    await form.getByLabel('Partner ID').fill(px.partnerId);
    await form.getByLabel('Token URL').fill(`${px.authUrl}/oauth/token`);
    await form.getByRole('button', { name: 'Test and save' }).click();
    const card = page.locator('[data-server]').filter({ hasText: 'Printix' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Provision tenant' }).click();
    const provision = card.getByRole('form', { name: 'Provision a Printix tenant' });
    await provision.getByLabel('Account').selectOption({ label: 'Birch Clinic' });
    await provision.getByLabel('Tenant name').fill('Birch Clinic');
    await provision.getByLabel('Tenant domain').fill('birch-clinic');
    await provision.getByRole('button', { name: 'Provision tenant' }).click();
    const row = page.locator('[data-feed]').filter({ hasText: 'Birch Clinic' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Billing' }).click();
    await page.getByText('Current billing period').waitFor();
    await page.getByText(/printing users of \d+ licenses|None/).first().waitFor();
    await screenshot(page, 'integrations');
    expect(tab.errors).toEqual([]);
  });
});
