// Email end to end against a real SMTP server in the test process: certificate emails after month close with the
// PDF attached, opt-out and one-click unsubscribe, exactly one email per event across crashes and workers,
// temporary failures retried, grouped health alerts, invitations and password reset, the outbox without SMTP.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { outboxCommand } from '../../src/cli/outbox.ts';
import { closeMonth } from '../../src/ledger/month-close.ts';
import { createOutbound, type Outbound } from '../../src/outbound/run-outbound.ts';
import { COLLECTION_ENV } from '../collection/helpers.ts';
import { createTestApp, storeName, TestClock, type TestApp } from '../helpers/harness.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.ts';

describe(`email (${storeName})`, () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  let sandbox: Sandbox;
  let outbound: Outbound;
  const newOutbound = (extra: Partial<Parameters<typeof createOutbound>[0]> = {}) =>
    createOutbound({ db: t.db, config: t.config, clock: t.clock.read, random: () => 0, ...extra });
  const to = (address: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0].address === address);
  const user = async (key: string, email: string) => (await t.json('/v1/users', { method: 'POST', key, body: { email } })).id as string;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    sandbox = await startSandbox({ seed: 7, customers: 1, devicesPerCustomer: 1 });
    t = await createTestApp({
      clock: new TestClock('2021-02-10T09:00:00Z'),
      env: { ...COLLECTION_ENV, CANOPY_SMTP_URL: smtp.url, CANOPY_MAIL_FROM: 'Canopy <noreply@canopy.example>', CANOPY_MAIL_ATTEMPTS: '3', CANOPY_PUBLIC_URL: 'https://canopy.example' },
    });
    outbound = newOutbound();
  });
  afterAll(async () => {
    outbound.close();
    await t.close();
    await sandbox.close();
    await smtp.close();
  });

  it('emails the certificate after month close to the customer\'s users who did not opt out, PDF attached, dealer branding, once', async () => {
    const dealer = await t.account('Green Print Co');
    await t.json('/v1/email-branding', { method: 'PUT', key: dealer.key, body: { sender_name: 'Green Print Co', line: 'Printing responsibly' }, expect: 200 });
    const customer = await t.account('Acme Offices', { key: dealer.key });
    await user(customer.key, 'alice@acme.example');
    const bob = await user(customer.key, 'bob@acme.example');
    await t.json(`/v1/users/${bob}/notification-settings`, { method: 'PUT', key: customer.key, body: { certificates: false }, expect: 200 });
    await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages: 16666, date: '2021-02-05T10:00:00Z' } });

    t.clock.set('2021-03-05T04:00:00Z');
    await closeMonth(t.db, '2021-02', { clock: t.clock.read, graceDays: 2 });
    await outbound.run();
    expect(to('bob@acme.example')).toHaveLength(0);
    const [mail] = to('alice@acme.example');
    expect(mail.subject).toBe('Your Certificate of Reforestation for February 2021');
    expect(mail.from?.text).toBe('"Green Print Co via Canopy" <noreply@canopy.example>');
    expect(mail.text).toContain('Pages (standard): 16,666');
    expect(mail.text).toContain('Trees: 2.000');
    expect(mail.text).toContain('Paper: 75.4 kg (166.2 lb)');
    expect(mail.text).toContain('CO2-equivalent: 75.0 kg');
    expect(mail.text).toContain('Green Print Co, with Canopy · Printing responsibly');
    expect(mail.html).toContain('<h1');
    const [certificate] = await t.json('/v1/certificates', { key: customer.key });
    expect(mail.text).toContain(`https://canopy.example/certificates/${certificate.id}`);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0]).toMatchObject({ contentType: 'application/pdf', filename: `certificate-${certificate.id}.pdf` });
    expect(mail.attachments[0].content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(mail.messageId).toMatch(/@canopy>$/);
    // The certificate page carries the dealer's name beside Canopy's too.
    expect((await t.call(`/certificates/${certificate.id}`, { key: null })).body).toContain('Issued by Green Print Co with Canopy');

    // Running again (or another worker) sends nothing more.
    await outbound.run();
    await newOutbound().run();
    expect(to('alice@acme.example')).toHaveLength(1);

    // One-click unsubscribe from the header, as a mail client sends it (RFC 8058).
    const raw = (name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
    const header = String(raw('list-unsubscribe'));
    expect(raw('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const link = new URL(/<([^>]+)>/.exec(header)![1]);
    const page = await t.call(`${link.pathname}${link.search}`, { key: null });
    expect(page.statusCode).toBe(200);
    const alice = (await t.json('/v1/users', { key: customer.key })).find((u: { email: string }) => u.email === 'alice@acme.example');
    expect((await t.json(`/v1/users/${alice.id}/notification-settings`, { key: customer.key })).certificates).toBe(true);
    const click = await t.call(`${link.pathname}${link.search}`, { method: 'POST', key: null, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(click.statusCode).toBe(200);
    expect(await t.json(`/v1/users/${alice.id}/notification-settings`, { key: customer.key })).toEqual({ user_id: alice.id, certificates: false, health_alerts: true });
    const forged = await t.call(`/unsubscribe?token=${link.searchParams.get('token')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`, { method: 'POST', key: null });
    expect(forged.statusCode).toBe(400);
    expect(JSON.parse(forged.body).error).toMatch(/^token is not an unsubscribe link/);
  });

  it('sends exactly one email per event when the process dies between the effect and the send, and with two workers at once', async () => {
    const customer = await t.account('Crash Co');
    await user(customer.key, 'carol@crash.example');
    // The transaction (the effect) commits; the process that made it never runs its outbound job.
    await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 1000 } });
    // After the restart two workers run the job at the same moment.
    const [a, b] = [newOutbound(), newOutbound()];
    await Promise.all([a.run(), b.run()]);
    a.close();
    b.close();
    expect(to('carol@crash.example')).toHaveLength(1);

    // A crash after the SMTP server accepted a message and before it was marked sent: it is sent again once its
    // claim lapses (at least once), with the same Message-ID so the receiving side can tell.
    await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 2000 } });
    const crashing = newOutbound({ afterSend: () => { throw new Error('killed'); } });
    await expect(crashing.run()).rejects.toThrow('killed');
    crashing.close();
    expect(to('carol@crash.example')).toHaveLength(2);
    await outbound.run();
    expect(to('carol@crash.example')).toHaveLength(2);
    t.clock.now = new Date(t.clock.now.getTime() + 6 * 60_000);
    await outbound.run();
    const carol = to('carol@crash.example');
    expect(carol).toHaveLength(3);
    expect(carol[2].messageId).toBe(carol[1].messageId);
  });

  it('retries a temporary SMTP failure with backoff, gives up after the bound with the reason, and refuses nothing twice', async () => {
    const customer = await t.account('Retry Co');
    await user(customer.key, 'dan@retry.example');
    await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 500 } });
    smtp.refuseNext(1, 451);
    await outbound.run();
    const [queued] = await t.json('/v1/outbox?status=queued', { key: customer.key });
    expect(queued).toMatchObject({ kind: 'certificate', attempts: 1, to: 'dan@retry.example' });
    expect(queued.last_error).toMatch(/451/);
    await outbound.run();
    expect(to('dan@retry.example')).toHaveLength(0);
    t.clock.now = new Date(t.clock.now.getTime() + 30_000);
    await outbound.run();
    expect(to('dan@retry.example')).toHaveLength(1);
    expect((await t.json(`/v1/outbox/${queued.id}`, { key: customer.key })).status).toBe('sent');

    await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 600 } });
    smtp.refuseNext(3, 451);
    for (let i = 0; i < 3; i++) {
      await outbound.run();
      t.clock.now = new Date(t.clock.now.getTime() + 3_600_000);
    }
    const [failed] = await t.json('/v1/outbox?status=failed', { key: customer.key });
    expect(failed.last_error).toMatch(/^gave up after 3 attempts: .*451/);

    await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 700 } });
    smtp.refuseNext(1, 550);
    await outbound.run();
    const refused = (await t.json('/v1/outbox?status=failed', { key: customer.key })).find((m: { id: string }) => m.id !== failed.id);
    expect(refused.attempts).toBe(1);
    expect(refused.last_error).toMatch(/^refused: .*550/);
    expect(to('dan@retry.example')).toHaveLength(1);
  });

  it('groups a server outage with its feeds into one alert per hour, then one recovery message', async () => {
    t.clock.set('2021-03-10T09:00:00Z');
    const dealer = await t.account('Alert Dealer');
    await user(dealer.key, 'ops@alert.example');
    const quiet = await user(dealer.key, 'quiet@alert.example');
    await t.json(`/v1/users/${quiet}/notification-settings`, { method: 'PUT', key: dealer.key, body: { health_alerts: false }, expect: 200 });
    const customer = await t.account('Alert Customer', { key: dealer.key });
    const pt = sandbox.printtracker;
    const server = await t.json('/v1/servers', { method: 'POST', key: dealer.key, body: { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey } });
    await t.app.collection.idle();
    // Setup: 30 feeds that have collected recently (healthy).
    for (let i = 0; i < 30; i++) {
      await t.db.query(
        `INSERT INTO feeds (id, account_id, server_id, type, external_id, external_name, health_check, last_reading_at, created_at)
         VALUES ($1, $2, $3, 'printtracker', $4, $5, 'healthy', $6, $6)`,
        [crypto.randomUUID(), customer.id, server.id, `entity-${i}`, `Site ${i}`, t.clock.now],
      );
    }
    await t.app.collection.engine.checkServer(server.id);
    await outbound.run();
    expect(to('ops@alert.example')).toHaveLength(0);

    await t.db.query(`UPDATE servers SET url = 'http://127.0.0.1:1' WHERE id = $1`, [server.id]);
    await t.app.collection.engine.checkServer(server.id);
    await outbound.run();
    const [down] = to('ops@alert.example');
    expect(down.subject).toBe('Canopy health: 1 servers unhealthy, 30 feeds unhealthy or offline');
    expect(down.text).toContain('printtracker server http://127.0.0.1:1');
    expect(down.text).toContain('Alert Customer · Site 29 (offline)');
    expect(down.text).toContain('/integrations');
    expect(to('quiet@alert.example')).toHaveLength(0);

    // Back ten minutes later: told within the hour rule, not before.
    await t.db.query(`UPDATE servers SET url = $2 WHERE id = $1`, [server.id, pt.url]);
    t.clock.now = new Date(t.clock.now.getTime() + 10 * 60_000);
    await t.app.collection.engine.checkServer(server.id);
    await outbound.run();
    expect(to('ops@alert.example')).toHaveLength(1);
    t.clock.now = new Date(t.clock.now.getTime() + 60 * 60_000);
    await outbound.run();
    const mails = to('ops@alert.example');
    expect(mails).toHaveLength(2);
    expect(mails[1].subject).toBe('Canopy health: 1 servers recovered, 30 feeds recovered');
    await outbound.run();
    expect(to('ops@alert.example')).toHaveLength(2);
  });

  it('emails invitation links and password-reset links (same answer for unknown addresses, throttled), never showing them in the outbox', async () => {
    const account = await t.account('Links Co');
    const id = await user(account.key, 'erin@links.example');
    const invite = await t.json(`/v1/users/${id}/password-link`, { method: 'POST', key: account.key });
    await outbound.run();
    const [invitation] = to('erin@links.example');
    expect(invitation.subject).toBe('Invitation to Links Co on Canopy');
    expect(invitation.text).toContain(invite.url);
    const [stored] = await t.json('/v1/outbox', { key: account.key });
    expect(stored).toMatchObject({ kind: 'invitation', text: null });
    expect(JSON.stringify(await t.json(`/v1/outbox/${stored.id}`, { key: account.key }))).not.toContain(new URL(invite.url).searchParams.get('token'));

    const known = await t.call('/auth/password-reset', { method: 'POST', key: null, body: { email: 'Erin@links.example' } });
    const unknown = await t.call('/auth/password-reset', { method: 'POST', key: null, body: { email: 'nobody@links.example' } });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    await outbound.run();
    const reset = to('erin@links.example')[1];
    expect(reset.subject).toBe('Reset your Canopy password');
    const url = new URL(/https:\/\/canopy\.example\/set-password\?token=\S+/.exec(reset.text!)![0]);
    expect((await t.call(`/auth/password-links/${url.searchParams.get('token')}`, { key: null })).statusCode).toBe(200);

    for (let i = 0; i < 4; i++) await t.call('/auth/password-reset', { method: 'POST', key: null, body: { email: 'erin@links.example' } });
    await outbound.run();
    // Three an hour per address: the first request above and two of these.
    expect(to('erin@links.example')).toHaveLength(4);
  });
});

describe(`the outbox without SMTP (${storeName})`, () => {
  let plain: TestApp;
  let smtp: SmtpCapture;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    plain = await createTestApp({ clock: new TestClock('2021-03-10T09:00:00Z') });
  });
  afterAll(async () => {
    await plain.close();
    await smtp.close();
  });

  it('keeps every message in the outbox, readable by its account and ancestors, and sends it once SMTP is set', async () => {
    const dealer = await plain.account('Outbox Dealer');
    const other = await plain.account('Other Dealer');
    const customer = await plain.account('Outbox Customer', { key: dealer.key });
    await plain.json('/v1/users', { method: 'POST', key: customer.key, body: { email: 'frank@outbox.example' } });
    await plain.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 100 } });
    const local = createOutbound({ db: plain.db, config: plain.config, clock: plain.clock.read });
    await local.run();
    local.close();
    const [message] = await plain.json('/v1/outbox', { key: dealer.key });
    expect(message).toMatchObject({ kind: 'certificate', status: 'outbox', to: 'frank@outbox.example' });
    expect(message.text).toContain('Pages (standard): 100');
    expect(await plain.json('/v1/outbox', { key: customer.key })).toHaveLength(1);
    expect(await plain.json('/v1/outbox', { key: other.key })).toEqual([]);
    expect((await plain.call(`/v1/outbox/${message.id}`, { key: other.key })).statusCode).toBe(404);
    expect((await plain.call('/v1/outbox/send', { method: 'POST', key: dealer.key })).statusCode).toBe(409);

    const lines: string[] = [];
    const context = { db: plain.db, config: plain.config, clock: plain.clock.read, out: (l: string) => lines.push(l) };
    expect(await outboxCommand.execute(context, ['list'])).toBe(0);
    expect(lines.join('\n')).toMatch(/1 outbox.*no SMTP configured[\s\S]*frank@outbox\.example/);
    lines.length = 0;
    const withSmtp = { ...plain.config, outbound: { ...plain.config.outbound, smtpUrl: smtp.url } };
    expect(await outboxCommand.execute({ ...context, config: withSmtp }, ['send'])).toBe(0);
    expect(lines.join('\n')).toContain('sent 1');
    expect(smtp.messages.map((m) => m.subject)).toEqual(['Your Certificate of Reforestation for 10 March 2021']);
  });
});
