// One email in several accounts, through the API and the sign-in routes: a user another tenant made with
// the same email neither shadows, claims nor blocks this one; a person in several accounts chooses after
// signing in.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { SESSION_COOKIE } from './cookies.ts';
import { hashPassword } from './passwords.ts';

interface Signed {
  status: number;
  body: { error?: string; account?: { id: string }; accounts?: Array<{ id: string }>; account_chosen?: boolean; csrf_token?: string };
  cookie: string | null;
}

function signed(res: LightMyRequestResponse): Signed {
  const header = [res.headers['set-cookie']].flat().find((c) => c?.startsWith(`${SESSION_COOKIE}=`));
  return { status: res.statusCode, body: JSON.parse(res.body), cookie: header ? header.split(';')[0] : null };
}

describe(`sign-in across accounts (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  /** A user of the account and its set-password link token, made with the account's key. */
  async function userWithLink(key: string, email: string) {
    const user = await t.json('/v1/users', { method: 'POST', key, body: { email } });
    const link = await t.json(`/v1/users/${user.id}/password-link`, { method: 'POST', key });
    return { userId: user.id as string, token: new URL(link.url).searchParams.get('token')! };
  }
  const setPassword = async (token: string, password: string) =>
    signed(await t.call('/auth/password', { method: 'POST', key: null, body: { token, password } }));
  const signIn = async (email: string, password: string, remoteAddress = '127.0.0.1') =>
    signed(await t.app.inject({ method: 'POST', url: '/auth/sign-in', remoteAddress, payload: { email, password } }));
  const asSession = (s: Signed) => ({ key: null, headers: { cookie: s.cookie!, 'x-csrf-token': s.body.csrf_token! } });

  it('a customer that made the email first and set its password neither shadows, claims nor blocks the real person another dealer invites', async () => {
    const dealerA = await t.account('Squatter Dealer');
    const customer = await t.account('Squatter Customer', { key: dealerA.key });
    const dealerB = await t.account('Real Dealer');

    // The customer's key makes future@corp.test in its own account and sets a password for it.
    const squat = await userWithLink(customer.key, 'future@corp.test');
    const squatter = await setPassword(squat.token, 'squatter password 1');
    expect(squatter.body.account?.id).toBe(customer.id);

    // Later the real dealer invites the real person: the link is theirs, for the real dealer's account.
    const real = await userWithLink(dealerB.key, 'Future@Corp.test');
    expect(await t.json(`/auth/password-links/${real.token}`, { key: null })).toMatchObject({ email: 'Future@Corp.test', account_name: 'Real Dealer' });
    const person = await setPassword(real.token, 'the real person password');
    expect(person.status).toBe(200);
    expect(person.body).toMatchObject({ account: { id: dealerB.id }, accounts: [{ id: dealerB.id }], account_chosen: true });

    // Each password opens its own user's account, and only that.
    const byPerson = await signIn('future@corp.test', 'the real person password');
    expect(byPerson.status).toBe(200);
    expect(byPerson.body).toMatchObject({ account: { id: dealerB.id }, accounts: [{ id: dealerB.id }], account_chosen: true });
    expect((await t.json('/v1/account', asSession(byPerson))).id).toBe(dealerB.id);
    const bySquatter = await signIn('FUTURE@corp.test', 'squatter password 1');
    expect(bySquatter.body).toMatchObject({ account: { id: customer.id }, accounts: [{ id: customer.id }] });
    expect((await t.call(`/v1/accounts/${dealerB.id}`, asSession(bySquatter))).statusCode).toBe(404);

    // The squatter cannot reset or reach the real user, whose id it cannot see either.
    expect((await t.call(`/v1/users/${real.userId}/password-link`, { method: 'POST', key: customer.key })).statusCode).toBe(404);
    expect((await t.json('/v1/users', { key: customer.key })).map((u: { id: string }) => u.id)).toEqual([squat.userId]);

    // Wrong passwords from the squatter's address (loopback ones here: plain HTTP) slow that address down, not the real person elsewhere.
    for (let i = 0; i < 6; i++) await signIn('future@corp.test', 'guessing wrongly', '127.6.6.6');
    expect((await signIn('future@corp.test', 'the real person password', '127.6.6.6')).status).toBe(429);
    expect((await signIn('future@corp.test', 'the real person password', '127.0.2.10')).body.account?.id).toBe(dealerB.id);

    // A new password for the squatter's user changes nothing for the real person.
    const again = await t.json(`/v1/users/${squat.userId}/password-link`, { method: 'POST', key: customer.key });
    await setPassword(new URL(again.url).searchParams.get('token')!, 'squatter password 2');
    expect((await signIn('future@corp.test', 'the real person password', '127.0.2.11')).body)
      .toMatchObject({ account: { id: dealerB.id }, accounts: [{ id: dealerB.id }] });
    expect((await t.json('/v1/account', asSession(byPerson))).id).toBe(dealerB.id);
  });

  it('a person in two accounts with one password chooses the account after signing in, and may switch', async () => {
    const first = await t.account('Alder Print');
    const second = await t.account('Birch Print');
    const stranger = await t.account('Cedar Print');
    for (const account of [first, second]) {
      await setPassword((await userWithLink(account.key, 'pat@two.test')).token, 'one password for pat');
    }
    const pat = await signIn('pat@two.test', 'one password for pat');
    expect(pat.status).toBe(200);
    expect(pat.body.account_chosen).toBe(false);
    expect(pat.body.accounts?.map((a) => a.id)).toEqual([first.id, second.id]);
    // Until the choice, the session acts for no account.
    expect(JSON.parse((await t.call('/v1/account', asSession(pat))).body)).toEqual({
      code: 403, error: 'this sign-in opened several accounts: choose the one to act for first (POST /auth/session/account)',
    });

    const choose = (accountId: string, csrf = pat.body.csrf_token!) =>
      t.call('/auth/session/account', { method: 'POST', key: null, headers: { cookie: pat.cookie!, 'x-csrf-token': csrf }, body: { account_id: accountId } });
    const chosen = await choose(second.id);
    expect(chosen.statusCode).toBe(200);
    expect(JSON.parse(chosen.body)).toMatchObject({ account: { id: second.id }, account_chosen: true });
    expect((await t.json('/v1/account', asSession(pat))).id).toBe(second.id);
    expect((await choose(first.id)).statusCode).toBe(200);
    expect((await t.json('/v1/account', asSession(pat))).id).toBe(first.id);
    // Only the accounts the sign-in opened; the CSRF token is needed.
    expect(JSON.parse((await choose(stranger.id)).body)).toEqual({ code: 404, error: 'Account not found' });
    expect((await choose(second.id, 'wrong')).statusCode).toBe(403);
    expect((await t.json('/v1/account', asSession(pat))).id).toBe(first.id);

    // A new password for one of the users ends the session that holds it.
    const reset = await t.json(`/v1/users/${(await t.json('/v1/users', { key: second.key }))[0].id}/password-link`, { method: 'POST', key: second.key });
    await setPassword(new URL(reset.url).searchParams.get('token')!, 'another password for pat');
    expect((await t.call('/v1/account', asSession(pat))).statusCode).toBe(401);
    // Now each password opens its own account.
    expect((await signIn('pat@two.test', 'one password for pat')).body).toMatchObject({ account: { id: first.id }, account_chosen: true });
    expect((await signIn('pat@two.test', 'another password for pat')).body).toMatchObject({ account: { id: second.id }, account_chosen: true });
  });

  it('users that already shared an email across accounts, with passwords hashed before (own salts), each sign in to their own', async () => {
    const east = await t.account('East Office');
    const west = await t.account('West Office');
    for (const [account, password] of [[east, 'east side password'], [west, 'west side password']] as const) {
      const [user] = await t.db.query<{ id: string }>(
        `INSERT INTO users (id, account_id, email) VALUES ($1, $2, 'old@dup.test') RETURNING id`, [crypto.randomUUID(), account.id],
      );
      await t.db.query(`INSERT INTO user_passwords (user_id, account_id, password_hash) VALUES ($1, $2, $3)`, [user.id, account.id, await hashPassword(password)]);
    }
    expect((await signIn('old@dup.test', 'west side password')).body.account?.id).toBe(west.id);
    expect((await signIn('old@dup.test', 'east side password')).body.account?.id).toBe(east.id);
    expect((await signIn('old@dup.test', 'neither password')).status).toBe(401);
  });

  it('one email in many accounts costs one password hash per sign-in, not one per account', async () => {
    const dealer = await t.account('Many Customers Dealer');
    for (let i = 0; i < 12; i++) {
      const c = await t.account(`Shadow ${i}`, { key: dealer.key });
      await setPassword((await userWithLink(c.key, 'target@many.test')).token, `shadow password ${i}`);
    }
    const salts = await t.db.query<{ salt: string }>(
      `SELECT DISTINCT split_part(p.password_hash, '$', 5) AS salt FROM user_passwords p JOIN users u ON u.id = p.user_id WHERE lower(u.email) = 'target@many.test'`,
    );
    expect(salts).toHaveLength(1);
    expect((await signIn('target@many.test', 'shadow password 7')).body.accounts).toHaveLength(1);
  });
});
