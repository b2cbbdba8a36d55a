// The Imports page in Chromium against a real server: upload a meter export, check the guessed mapping and the
// first rows as read (a bad row shows its rule beside it), change a column, import with a progress bar, and see
// the refused rows beside their rules; the deposits are the deltas of the readings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, screenshot, signedInTab, startSite, type Site, type Tab } from './harness.ts';

const day = (daysAgo: number) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
};
const iso = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

describe.skipIf(browserTestsSkipped !== null)('imports in Chromium', () => {
  let site: Site;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  let tab: Tab;

  beforeAll(async () => {
    site = await startSite();
    dealer = await site.account('Evergreen Print Services');
    customer = await site.account('Acme Legal', dealer.key);
    tab = await signedInTab(site, dealer.id, 'dana@evergreen.example');
  }, 120_000);

  afterAll(async () => {
    await site?.close();
  });

  it('uploads a file, previews it with the guessed mapping, imports it with progress, and shows refused rows beside their rules', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Imports' }).click();
    await page.getByText('No import feeds yet.').waitFor();
    const form = page.getByRole('form', { name: 'New import feed' });
    await form.getByLabel('Customer').selectOption({ label: 'Acme Legal' });
    await form.getByLabel('Active since').fill(iso(20));
    await form.getByRole('button', { name: 'New import feed' }).click();
    await page.locator('[data-feed]').waitFor();

    // A European export: semicolons, day-first dates, a column the import does not need ("Standort").
    const csv = [
      'Seriennummer;Standort;Datum;Zählerstand gesamt;Gesamt',
      `SN-1;Büro;${day(10)} 09:00;900;1000`,
      `SN-1;Büro;${day(9)} 09:00;950;1100`,
      `SN-1;Büro;${day(8)} 09:00;990;N/A`,
      `SN-1;Büro;${day(7)} 09:00;1000;1250`,
      `SN-2;Empfang;${day(9)} 10:00;50;5000`,
      `SN-2;Empfang;${day(8)} 10:00;60;5040`,
    ].join('\r\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'zaehler.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    const preview = page.getByRole('table', { name: 'Preview' });
    await preview.locator('tr[data-row="3"]').waitFor();
    expect(await page.getByLabel('Dates').inputValue()).toBe('dmy');
    expect(await page.getByLabel('Delimiter').inputValue()).toBe(';');
    expect(await page.getByLabel('Device', { exact: true }).inputValue()).toBe('Seriennummer');
    // The guess took "Gesamt"; the dealer's lifetime counter is the other column: the preview follows the change.
    expect(await page.getByLabel('Lifetime total', { exact: true }).inputValue()).toBe('Gesamt');
    await expect.poll(() => preview.locator('tr[data-row="3"]').innerText()).toContain('lifetime_total is "N/A", not a number');
    await page.getByLabel('Lifetime total', { exact: true }).selectOption('Zählerstand gesamt');
    await expect.poll(() => preview.locator('tr[data-row="3"]').innerText()).toContain('ok');
    await page.getByLabel('Lifetime total', { exact: true }).selectOption('Gesamt');
    await expect.poll(() => preview.locator('tr[data-row="3"]').innerText()).toContain('not a number');

    // Hold the upload until the progress bar shows: the bar is there while the file is on its way.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/imports/*/file', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Import zaehler.csv' }).click();
    await page.getByRole('progressbar', { name: 'Import progress' }).waitFor();
    release();
    const result = page.getByRole('status');
    await result.getByText(/6 rows: 5 accepted, 0 already there, 0 conflicts, 1 refused/).waitFor();
    const refused = page.getByRole('table', { name: 'Refused rows' });
    expect(await refused.locator('tr[data-row="3"]').innerText()).toMatch(/3\s+lifetime_total\s+N\/A\s+is "N\/A", not a number/);
    await screenshot(page, 'imports');

    const deposits = await site.api<Array<{ date: string; pages: number }>>('GET', `/v1/accounts/${customer.id}/deposits`, undefined, dealer.key);
    expect(Object.fromEntries(deposits.map((d) => [d.date.slice(0, 10), d.pages]))).toEqual({ [iso(9)]: 100, [iso(8)]: 40, [iso(7)]: 150 });
    expect(tab.errors).toEqual([]);

    // The mapping was kept: the feed's next file starts from it.
    const [feed] = (await site.api<Array<{ id: string; type: string }>>('GET', `/v1/accounts/${customer.id}/feeds`, undefined, dealer.key));
    expect(await site.api('GET', `/v1/accounts/${customer.id}/feeds/${feed.id}/import-mapping`, undefined, dealer.key)).toMatchObject({
      kind: 'counters', columns: { device_id: 'Seriennummer', timestamp: 'Datum', lifetime_total: 'Gesamt' },
    });
  });
});
