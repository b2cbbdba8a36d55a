// Dashboard sign-in end to end through the HTTP API: invitation link, password, cookie session, CSRF, throttling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { SESSION_COOKIE } from './cookies.ts';

function cookieFrom(res: LightMyRequestResponse): string {
  const header = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`));
  if (!header) throw new Error(`no session cookie in ${JSON.stringify(res.headers)}`);
  return header.split(';')[0];
}

describe(`dashboard sessions (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  let sibling: { id: string; key: string };

  /** Invites a user of the account through the API and returns the token of the set-password link. */
  async function invite(accountKey: string, email: string): Promise<{ userId: string; token: string; url: string }> {
    const user = await t.json('/v1/users', { method: 'POST', key: accountKey, body: { email } });
    const link = await t.json(`/v1/users/${user.id}/password-link`, { method: 'POST', key: accountKey });
    const token = new URL(link.url).searchParams.get('token')!;
    return { userId: user.id, token, url: link.url };
  }

  async function signUp(accountKey: string, email: string, password = 'correct horse battery') {
    const { token, userId } = await invite(accountKey, email);
    const res = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password } });
    expect(res.statusCode, res.body).toBe(200);
    return { cookie: cookieFrom(res), csrf: JSON.parse(res.body).csrf_token as string, userId };
  }

  beforeAll(async () => {
    t = await createTestApp();
    dealer = await t.account('Dealer');
    customer = await t.account('Customer A', { key: dealer.key });
    sibling = await t.account('Customer B', { key: dealer.key });
  });
  afterAll(async () => t.close());

  it('sets a password from a one-time link and signs the user in with a secure, HTTP-only, SameSite cookie', async () => {
    const { token, url } = await invite(customer.key, 'ana@customer-a.example');
    expect(url).toMatch(/^http:\/\/localhost(:\d+)?\/set-password\?token=/);
    const about = await t.json(`/auth/password-links/${token}`, { key: null });
    expect(about).toMatchObject({ email: 'ana@customer-a.example', account_name: 'Customer A' });

    const res = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'correct horse battery' } });
    expect(res.statusCode).toBe(200);
    const setCookie = String([res.headers['set-cookie']].flat()[0]);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/Secure/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(JSON.parse(res.body).account).toMatchObject({ id: customer.id, role: 'customer' });

    const again = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'another good one' } });
    expect(again.statusCode).toBe(409);
    expect(JSON.parse(again.body).error).toMatch(/already been used/);
  });

  it('refuses an expired link and a short password, naming the rule', async () => {
    const { token } = await invite(customer.key, 'late@customer-a.example');
    const short = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(JSON.parse(short.body).error).toBe('password must be at least 10 characters');
    const saved = t.clock.now;
    t.clock.advanceDays(4);
    try {
      const late = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'correct horse battery' } });
      expect(late.statusCode).toBe(409);
      expect(JSON.parse(late.body).error).toMatch(/expired/);
    } finally {
      t.clock.now = saved;
    }
  });

  it('signs in by email and password; the cookie reaches /v1 as the user\'s account and no further', async () => {
    await signUp(customer.key, 'bo@customer-a.example', 'bo password 123');
    const res = await t.call('/auth/sign-in', { method: 'POST', key: null, body: { email: 'BO@customer-a.example', password: 'bo password 123' } });
    expect(res.statusCode).toBe(200);
    const cookie = cookieFrom(res);
    const account = await t.json('/v1/account', { key: null, headers: { cookie } });
    expect(account.id).toBe(customer.id);
    const foreign = await t.call(`/v1/accounts/${sibling.id}/account`, { key: null, headers: { cookie } });
    expect(foreign.statusCode).toBe(404);
    const parent = await t.call(`/v1/accounts/${dealer.id}/account`, { key: null, headers: { cookie } });
    expect(parent.statusCode).toBe(404);
  });

  it('answers a wrong password or an unknown email with the same 401, and slows down repeated failures', async () => {
    await signUp(customer.key, 'cy@customer-a.example', 'cy password 123');
    const attempt = (password: string, email = 'cy@customer-a.example') =>
      t.call('/auth/sign-in', { method: 'POST', key: null, body: { email, password } });
    const unknown = await attempt('whatever', 'nobody@example.com');
    expect(unknown.statusCode).toBe(401);
    for (let i = 0; i < 3; i++) {
      const wrong = await attempt('wrong password');
      expect(wrong.statusCode).toBe(401);
      expect(JSON.parse(wrong.body)).toEqual({ code: 401, error: 'email or password is wrong' });
    }
    // After three wrong passwords the next attempt must wait, even with the right password…
    const throttled = await attempt('cy password 123');
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBe(1);
    expect(JSON.parse(throttled.body).error).toMatch(/too many wrong passwords/);
    // …and every further wrong password doubles the wait.
    t.clock.set(new Date(t.clock.now.getTime() + 1_000).toISOString());
    expect((await attempt('wrong again')).statusCode).toBe(401);
    t.clock.set(new Date(t.clock.now.getTime() + 1_000).toISOString());
    expect(Number((await attempt('cy password 123')).headers['retry-after'])).toBe(1);
    t.clock.set(new Date(t.clock.now.getTime() + 1_000).toISOString());
    expect((await attempt('cy password 123')).statusCode).toBe(200);
    // A successful sign-in forgets the failures.
    expect((await attempt('wrong once more')).statusCode).toBe(401);
    expect((await attempt('cy password 123')).statusCode).toBe(200);
  });

  it('requires the CSRF token for writes made with the cookie, and not for reads or API keys', async () => {
    const { cookie, csrf } = await signUp(dealer.key, 'dee@dealer.example');
    const create = (headers: Record<string, string>) =>
      t.call('/v1/accounts', { method: 'POST', key: null, headers: { cookie, ...headers }, body: { name: 'Via the dashboard' } });
    const missing = await create({});
    expect(missing.statusCode).toBe(403);
    expect(JSON.parse(missing.body).error).toMatch(/X-CSRF-Token/);
    expect((await create({ 'x-csrf-token': 'not-the-token' })).statusCode).toBe(403);
    const made = await create({ 'x-csrf-token': csrf });
    expect(made.statusCode).toBe(201);
    expect(JSON.parse(made.body).parent_id).toBe(dealer.id);
    expect((await t.call('/v1/accounts', { key: null, headers: { cookie } })).statusCode).toBe(200);
    expect((await t.call('/v1/accounts', { method: 'POST', key: dealer.key, body: { name: 'Via a key' } })).statusCode).toBe(201);
  });

  it('signs out: the cookie stops working at once', async () => {
    const { cookie, csrf } = await signUp(customer.key, 'di@customer-a.example');
    expect((await t.call('/v1/account', { key: null, headers: { cookie } })).statusCode).toBe(200);
    expect((await t.call('/auth/sign-out', { method: 'POST', key: null, headers: { cookie } })).statusCode).toBe(403);
    const out = await t.call('/auth/sign-out', { method: 'POST', key: null, headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(String([out.headers['set-cookie']].flat()[0])).toMatch(/Expires=Thu, 01 Jan 1970/);
    const after = await t.call('/v1/account', { key: null, headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect((await t.call('/auth/session', { key: null, headers: { cookie } })).statusCode).toBe(204);
  });

  it('ends sessions when they expire and when the user is removed', async () => {
    const first = await signUp(customer.key, 'ed@customer-a.example');
    const saved = t.clock.now;
    t.clock.advanceDays(1);
    try {
      expect((await t.call('/v1/account', { key: null, headers: { cookie: first.cookie } })).statusCode).toBe(401);
    } finally {
      t.clock.now = saved;
    }
    const second = await signUp(customer.key, 'fay@customer-a.example');
    await t.json(`/v1/users/${second.userId}`, { method: 'DELETE', key: customer.key });
    expect((await t.call('/v1/account', { key: null, headers: { cookie: second.cookie } })).statusCode).toBe(401);
  });

  it('refuses sign-in posted from another site\'s page', async () => {
    const res = await t.call('/auth/sign-in', {
      method: 'POST', key: null, headers: { origin: 'https://evil.example' }, body: { email: 'x@example.com', password: 'whatever1234' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('does not ask the browser for Basic credentials on the dashboard\'s own calls', async () => {
    const api = await t.call('/v1/account', { key: null });
    expect(api.headers['www-authenticate']).toBeDefined();
    const ui = await t.call('/v1/account', { key: null, headers: { 'x-canopy-ui': '1' } });
    expect(ui.statusCode).toBe(401);
    expect(ui.headers['www-authenticate']).toBeUndefined();
  });

  it('makes a set-password link only for users of the scope account, and never under an Idempotency-Key', async () => {
    const user = await t.json('/v1/users', { method: 'POST', key: sibling.key, body: { email: 'gus@customer-b.example' } });
    expect((await t.call(`/v1/users/${user.id}/password-link`, { method: 'POST', key: customer.key })).statusCode).toBe(404);
    expect((await t.call(`/v1/accounts/${sibling.id}/users/${user.id}/password-link`, { method: 'POST', key: dealer.key })).statusCode).toBe(201);
    const replayable = await t.call(`/v1/users/${user.id}/password-link`, { method: 'POST', key: sibling.key, headers: { 'idempotency-key': 'k1' } });
    expect(replayable.statusCode).toBe(400);
    expect(JSON.parse(replayable.body).error).toMatch(/^Idempotency-Key/);
  });
});
