// Webhooks end to end: real receivers (2xx, 500, hang, reset), Standard Webhooks signatures verified with the
// standardwebhooks package, retries with backoff on an injected clock, tenancy, the three-day bound, rotation, resend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { InvalidInput } from '../../src/domain/errors.ts';
import type { AccountRef } from '../../src/keys/api-keys.ts';
import { outboundKeys } from '../../src/outbound/keys.ts';
import { createOutbound, type Outbound } from '../../src/outbound/run-outbound.ts';
import { createEndpoint } from '../../src/webhooks/endpoints-service.ts';
import { createTestApp, storeName, TestClock, type TestApp } from '../helpers/harness.ts';
import { startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

// Signatures are checked against the real time by the library: the test clock starts now and is moved by hand.
const START = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

describe(`webhooks (${storeName})`, () => {
  let t: TestApp;
  let outbound: Outbound;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (mode: Parameters<typeof startReceiver>[0] = 'ok') => {
    const r = await startReceiver(mode);
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    t = await createTestApp({ clock: new TestClock(START), env: { CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1', CANOPY_WEBHOOK_TIMEOUT_MS: '500' } });
    outbound = createOutbound({ db: t.db, config: t.config, clock: t.clock.read, random: () => 0 });
  });
  afterAll(async () => {
    outbound.close();
    for (const r of receivers) await r.close();
    await t.close();
  });

  const endpoint = async (key: string, url: string, events: string[]) =>
    t.json('/v1/webhook-endpoints', { method: 'POST', key, body: { url, events } }) as Promise<{ id: string; secret: string }>;
  const deposit = (key: string, pages: number) => t.json('/v1/deposits', { method: 'POST', key, body: { pages } });

  it('signs each event per Standard Webhooks with the resource in its API shape, and never sends another tenant\'s', async () => {
    const a = await t.account('Dealer A');
    const a1 = await t.account('A customer', { key: a.key });
    const b = await t.account('Dealer B');
    const b1 = await t.account('B customer', { key: b.key });
    const hook = await receiver();
    const created = await endpoint(a.key, hook.url, ['deposit.created', 'transaction.created', 'certificate.issued']);
    expect(created.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await t.json(`/v1/webhook-endpoints/${created.id}`, { key: a.key }))).not.toContain(created.secret);

    const mine = await deposit(a1.key, 1200);
    await deposit(b1.key, 5000);
    await deposit(b.key, 7000);
    const transaction = await t.json('/v1/transactions', { method: 'POST', key: a1.key, body: { pages: 16666 } });
    const summary = await outbound.run();
    expect(summary.webhooks.succeeded).toBe(3);

    const wh = new Webhook(created.secret);
    const events = hook.received.map((r) => wh.verify(r.body, r.headers) as { id: string; type: string; timestamp: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type).sort()).toEqual(['certificate.issued', 'deposit.created', 'transaction.created']);
    const depositEvent = events.find((e) => e.type === 'deposit.created')!;
    expect(depositEvent.data).toEqual(await t.json(`/v1/deposits/${mine.id}`, { key: a1.key }));
    expect(hook.received.find((r) => r.body === JSON.stringify(depositEvent))!.headers['webhook-id']).toBe(depositEvent.id);
    const certificate = events.find((e) => e.type === 'certificate.issued')!;
    expect(certificate.data.id).toBe(transaction.certificate_id);
    expect(certificate.data.url).toMatch(new RegExp(`/certificates/${transaction.certificate_id}$`));
    // Nothing of B's tree reached A's endpoint.
    expect(events.every((e) => e.data.account_id === a1.id)).toBe(true);
    // A tampered body fails verification.
    expect(() => wh.verify(hook.received[0].body.replace('1200', '1201'), hook.received[0].headers)).toThrow();
    // Running again sends nothing new.
    expect((await outbound.run()).webhooks.attempts).toBe(0);
  });

  it('retries 500s, hangs and resets with growing delays on the injected clock, with the same webhook-id, until one succeeds', async () => {
    const dealer = await t.account('Flaky dealer');
    const hooks = { fail: await receiver('fail'), hang: await receiver('hang'), reset: await receiver('reset') };
    const endpoints: Record<string, { id: string }> = Object.fromEntries(await Promise.all(Object.entries(hooks).map(async ([mode, r]) => [mode, await endpoint(dealer.key, r.url, ['deposit.created'])])));
    await deposit(dealer.key, 10);
    const first = await outbound.run();
    expect(first.webhooks).toEqual({ attempts: 3, succeeded: 0, failed: 3 });
    // Not due yet: the same instant sends nothing.
    expect((await outbound.run()).webhooks.attempts).toBe(0);

    for (const [mode, e] of Object.entries(endpoints)) {
      const [delivery] = await t.json(`/v1/webhook-endpoints/${e.id}/deliveries`, { key: dealer.key });
      expect(delivery.status, mode).toBe('pending');
      expect(delivery.attempts).toBe(1);
      expect(delivery.attempts_log[0].response_status).toBe(mode === 'fail' ? 500 : null);
      expect(delivery.last_error).toMatch(mode === 'fail' ? /answered 500/ : mode === 'hang' ? /no answer within 500 ms/ : /ECONNRESET|socket|closed|other side/i);
      // 30 s with the jitter factor at its lowest (0.5).
      expect(Date.parse(delivery.next_attempt_at) - t.clock.now.getTime()).toBe(15_000);
    }
    t.clock.now = new Date(t.clock.now.getTime() + 15_000);
    expect((await outbound.run()).webhooks.failed).toBe(3);
    const [again] = await t.json(`/v1/webhook-endpoints/${endpoints.fail.id}/deliveries`, { key: dealer.key });
    expect(Date.parse(again.next_attempt_at) - t.clock.now.getTime()).toBe(30_000);

    for (const r of Object.values(hooks)) r.mode = 'ok';
    t.clock.now = new Date(t.clock.now.getTime() + 30_000);
    expect((await outbound.run()).webhooks).toEqual({ attempts: 3, succeeded: 3, failed: 0 });
    for (const r of Object.values(hooks)) {
      const ids = new Set(r.received.map((x) => x.headers['webhook-id']));
      expect(ids.size).toBe(1);
      expect(r.received.length).toBe(3);
    }
    const [done] = await t.json(`/v1/webhook-endpoints/${endpoints.fail.id}/deliveries`, { key: dealer.key });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 3, response_status: 204, next_attempt_at: null });
    expect(done.attempts_log.map((a: { response_status: number }) => a.response_status)).toEqual([500, 500, 204]);
  });

  it('gives up after three days, disables the endpoint and emails its owner; resend after repair delivers with the same id', async () => {
    const dealer = await t.account('Down dealer');
    await t.json('/v1/users', { method: 'POST', key: dealer.key, body: { email: 'owner@down.example' } });
    const hook = await receiver('fail');
    const e = await endpoint(dealer.key, hook.url, ['deposit.created']);
    await deposit(dealer.key, 10);
    const started = t.clock.now.getTime();
    let rounds = 0;
    for (; rounds < 100; rounds++) {
      await outbound.run();
      const state = await t.json(`/v1/webhook-endpoints/${e.id}`, { key: dealer.key });
      if (state.status === 'disabled') break;
      const [delivery] = await t.json(`/v1/webhook-endpoints/${e.id}/deliveries`, { key: dealer.key });
      t.clock.now = new Date(Date.parse(delivery.next_attempt_at));
    }
    const state = await t.json(`/v1/webhook-endpoints/${e.id}`, { key: dealer.key });
    expect(state.status).toBe('disabled');
    expect(state.disabled_reason).toMatch(/three days/);
    const [delivery] = await t.json(`/v1/webhook-endpoints/${e.id}/deliveries`, { key: dealer.key });
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toBe(hook.received.length);
    expect(delivery.attempts).toBeGreaterThan(10);
    const lastAttempt = Date.parse(delivery.last_attempt_at);
    expect(lastAttempt - started).toBeGreaterThan(2.5 * 86_400_000);
    expect(lastAttempt - started).toBeLessThanOrEqual(3 * 86_400_000);
    const mails = await t.json('/v1/outbox', { key: dealer.key });
    expect(mails).toEqual([expect.objectContaining({ kind: 'webhook_disabled', to: 'owner@down.example', subject: 'Canopy: webhook endpoint disabled' })]);
    expect(mails[0].text).toContain(hook.url);

    hook.mode = 'ok';
    await t.json(`/v1/webhook-endpoints/${e.id}`, { method: 'PATCH', key: dealer.key, body: { enabled: true } });
    const resent = await t.json(`/v1/webhook-deliveries/${delivery.id}/resend`, { method: 'POST', key: dealer.key, expect: 200 });
    expect(resent.status).toBe('pending');
    await outbound.run();
    const ids = new Set(hook.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    expect((await t.json(`/v1/webhook-deliveries/${delivery.id}`, { key: dealer.key })).status).toBe('succeeded');
  });

  it('signs with the old and the new secret for 24 hours after a rotation, then with the new one only', async () => {
    t.clock.set(new Date(Math.floor(Date.now() / 1000) * 1000).toISOString());
    const dealer = await t.account('Rotating dealer');
    const hook = await receiver();
    const e = await endpoint(dealer.key, hook.url, ['deposit.created']);
    const rotated = await t.json(`/v1/webhook-endpoints/${e.id}/rotate-secret`, { method: 'POST', key: dealer.key, expect: 200 });
    expect(rotated.secret).not.toBe(e.secret);
    await deposit(dealer.key, 1);
    await outbound.run();
    const [during] = hook.received;
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    new Webhook(e.secret).verify(during.body, during.headers);
    new Webhook(rotated.secret).verify(during.body, during.headers);
    t.clock.now = new Date(t.clock.now.getTime() + 25 * 3_600_000);
    await deposit(dealer.key, 2);
    await outbound.run();
    expect(hook.received[1].headers['webhook-signature'].split(' ')).toHaveLength(1);
  });

  it('refuses endpoint URLs the address guard refuses, and unknown events, naming the field', async () => {
    // The guard as an installation without CANOPY_ALLOW_PRIVATE_UPSTREAMS runs it (this suite's app allows private addresses).
    const dealer = await t.account('Guarded dealer');
    const [account] = await t.db.query<AccountRef>(`SELECT id, name, role, path, status FROM accounts WHERE id = $1`, [dealer.id]);
    const guarded = { db: t.db, secrets: outboundKeys(t.config).secrets, allowPrivate: false };
    for (const url of ['http://example.com/hook', 'https://127.0.0.1/hook', 'https://169.254.169.254/latest', 'https://[::1]/x', 'https://10.1.2.3/x', 'not a url']) {
      const refused = await createEndpoint(guarded, account, { url, events: ['deposit.created'] }, t.clock.read()).catch((e: unknown) => e);
      expect(refused, url).toBeInstanceOf(InvalidInput);
      expect((refused as InvalidInput).field, url).toBe('url');
    }
    const unknown = await t.call('/v1/webhook-endpoints', { method: 'POST', key: dealer.key, body: { url: 'https://example.com/hook', events: ['deposit.exploded'] } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(unknown.body).error).toMatch(/events/);
    expect(await t.json('/v1/webhook-endpoints', { key: dealer.key })).toEqual([]);
  });
});
