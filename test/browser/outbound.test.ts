// Email and webhooks in the dashboard, in Chromium against a real server and a real SMTP server: forgot
// password, notification settings, the Webhooks page (endpoint, secret once, deliveries, resend).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutbound } from '../../src/outbound/run-outbound.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.ts';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { browserTestsSkipped, openTab, screenshot, startSite, type Site, type Tab } from './harness.ts';

describe.skipIf(browserTestsSkipped !== null)('email and webhooks in Chromium', () => {
  let site: Site;
  let smtp: SmtpCapture;
  let receiver: WebhookReceiver;
  let dealer: { id: string; key: string };
  let tab: Tab;
  // The outbound job runs every minute in the server; the test runs it at the moments it needs.
  const runOutbound = async () => {
    const outbound = createOutbound({ db: site.server.db, config: site.config, clock: () => new Date() });
    try {
      return await outbound.run();
    } finally {
      outbound.close();
    }
  };

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    receiver = await startReceiver();
    site = await startSite({ CANOPY_SMTP_URL: smtp.url, CANOPY_NO_JOBS: '1' });
    dealer = await site.account('Evergreen Print Services');
    await site.invite(dealer.id, 'rosa@evergreen.example');
    tab = await openTab(site);
  }, 120_000);
  afterAll(async () => {
    await site?.close();
    await receiver?.close();
    await smtp?.close();
  });

  it('resets a forgotten password from the sign-in page through the emailed link', async () => {
    const { page } = tab;
    await page.goto(`${site.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill('rosa@evergreen.example');
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByRole('status').filter({ hasText: 'If a user signs in with this address' }).waitFor();
    await screenshot(page, 'forgot-password');
    await runOutbound();
    const mail = smtp.messages.find((m) => m.subject === 'Reset your Canopy password');
    expect(mail, 'reset email').toBeDefined();
    const link = /http\S+\/set-password\?token=\S+/.exec(mail!.text!)![0];
    await page.goto(link.replace('localhost', '127.0.0.1'));
    await page.getByText('rosa@evergreen.example').waitFor();
    await page.getByLabel('Password', { exact: true }).fill('a brand new password 7');
    await page.getByLabel('Repeat the password').fill('a brand new password 7');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: /Overview/ }).waitFor();
    expect(tab.errors).toEqual([]);
  });

  it('keeps the user\'s notification choices', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Email' }).click();
    const certificates = page.getByLabel(/Certificates of Reforestation/);
    await certificates.waitFor();
    expect(await certificates.isChecked()).toBe(true);
    await certificates.uncheck();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.reload();
    await page.getByLabel(/Health alerts/).waitFor();
    expect(await page.getByLabel(/Certificates of Reforestation/).isChecked()).toBe(false);
    expect(await page.getByLabel(/Health alerts/).isChecked()).toBe(true);
    const users: Array<{ id: string; email: string }> = await site.api('GET', '/v1/users', undefined, dealer.key);
    const prefs = await site.api('GET', `/v1/users/${users[0].id}/notification-settings`, undefined, dealer.key);
    expect(prefs).toMatchObject({ certificates: false, health_alerts: true });
    // The outbox shows the reset email, without its link.
    await page.getByText('Reset your Canopy password').waitFor();
    await screenshot(page, 'email');
    expect(tab.errors).toEqual([]);
  });

  it('adds a webhook endpoint, shows its secret once, lists its deliveries and resends one', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('deposit.created').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText(/Signing secret for/).waitFor();
    expect(await page.getByText(/^whsec_/).count()).toBe(1);

    await site.api('POST', '/v1/deposits', { pages: 321 }, dealer.key);
    await runOutbound();
    expect(receiver.received).toHaveLength(1);
    await page.getByRole('button', { name: 'Deliveries' }).click();
    const row = page.getByRole('row').filter({ hasText: 'deposit.created' });
    await row.waitFor();
    expect(await row.textContent()).toContain('204');
    await screenshot(page, 'webhooks');
    await row.getByRole('button', { name: 'Resend' }).click();
    await page.getByRole('row').filter({ hasText: 'pending' }).waitFor();
    await runOutbound();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1].headers['webhook-id']).toBe(receiver.received[0].headers['webhook-id']);
    // Leaving and coming back, the secret is not shown again.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText(receiver.url).waitFor();
    expect(await page.getByText(/^whsec_/).count()).toBe(0);
    expect(tab.errors).toEqual([]);
  });
});
