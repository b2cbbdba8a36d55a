// The inactive rule: an inactive account's keys and sessions, and those of every account below an inactive
// one, may read but not write (403 naming the account); an active ancestor still manages it, and the
// ledger refuses new entries dated into an inactive account (409).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type Call, type TestApp } from './helpers/harness.ts';

type Credentials = Pick<Call, 'key' | 'headers'>;

/** A new user of the account signed in through an invitation link: its cookie and CSRF token. */
async function sessionOf(t: TestApp, account: { key: string }, email: string): Promise<Credentials> {
  const user = await t.json('/v1/users', { method: 'POST', key: account.key, body: { email } });
  const link = await t.json(`/v1/users/${user.id}/password-link`, { method: 'POST', key: account.key });
  const token = new URL(link.url).searchParams.get('token');
  const res = await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'inactive password 1' } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`);
  const cookie = String([res.headers['set-cookie']].flat()[0]).split(';')[0];
  return { key: null, headers: { cookie, 'x-csrf-token': JSON.parse(res.body).csrf_token } };
}

describe.each(['API key', 'session cookie'] as const)(`inactive accounts, with an %s (${storeName})`, (credential) => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let customer: { id: string; key: string };
  const as: Record<'dealer' | 'customer', Credentials> = { dealer: {}, customer: {} };

  beforeAll(async () => {
    t = await createTestApp();
    dealer = await t.account('Dealer Dormant');
    customer = await t.account('Customer Dormant', { key: dealer.key });
    for (const [name, account] of [['dealer', dealer], ['customer', customer]] as const) {
      as[name] = credential === 'API key' ? { key: account.key } : await sessionOf(t, account, `${name}@inactive.example`);
    }
  });
  afterAll(async () => t.close());

  const writes = (accountId: string): Array<[Call['method'], string, unknown]> => [
    ['POST', '/v1/deposits', { pages: 10 }],
    ['POST', `/v1/accounts/${accountId}/deposits`, { pages: 10 }],
    ['POST', '/v1/users', { email: 'late@inactive.example' }],
    ['PATCH', `/v1/accounts/${accountId}`, { name: 'Renamed' }],
    ['DELETE', '/v1/users/6dd962a0-a515-4a83-980e-d3bd7cbb243a', undefined],
    ['POST', '/v1/paper/types', { name: 'Late type', density: 90 }],
  ];

  it('a deactivated dealer and every account below it may read but not write: 403 naming the account', async () => {
    await t.json(`/v1/accounts/${dealer.id}/deactivate`, { method: 'POST', expect: 200 });

    expect((await t.call('/v1/account', as.dealer)).statusCode).toBe(200);
    expect((await t.call(`/v1/accounts/${customer.id}/deposits`, as.dealer)).statusCode).toBe(200);
    expect((await t.call('/v1/account', as.customer)).statusCode).toBe(200);

    for (const [method, url, body] of writes(customer.id)) {
      const own = await t.call(url, { ...as.dealer, method, body });
      expect({ method, url, status: own.statusCode, body: JSON.parse(own.body) }).toEqual({
        method, url, status: 403,
        body: {
          code: 403,
          error: `account "Dealer Dormant" (${dealer.id}) is inactive: its keys may read but not write until an ancestor account activates it`,
        },
      });
      const below = await t.call(url, { ...as.customer, method, body });
      expect({ method, url, status: below.statusCode, error: JSON.parse(below.body).error }).toEqual({
        method, url, status: 403,
        error:
          `account "Customer Dormant" (${customer.id}) is below inactive account "Dealer Dormant" (${dealer.id}): ` +
          'its keys may read but not write until an ancestor account activates it',
      });
    }
    // Nothing was written.
    const [{ n }] = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM deposits WHERE account_id = $1`, [customer.id]);
    expect(Number(n)).toBe(0);
  });

  it('an active ancestor still manages the inactive account; the ledger refuses entries into it (409), not below it', async () => {
    // The root renames the inactive dealer and deposits for its (active) customer.
    expect((await t.call(`/v1/accounts/${dealer.id}`, { method: 'PATCH', body: { display_name: 'Dormant Dealer Ltd' } })).statusCode).toBe(200);
    expect((await t.call(`/v1/accounts/${customer.id}/deposits`, { method: 'POST', body: { pages: 5 } })).statusCode).toBe(201);
    const intoInactive = await t.call(`/v1/accounts/${dealer.id}/deposits`, { method: 'POST', body: { pages: 5 } });
    expect(intoInactive.statusCode).toBe(409);
    expect(JSON.parse(intoInactive.body).error).toMatch(/^account is inactive/);
  });

  it('activation lets the keys write again at once', async () => {
    await t.json(`/v1/accounts/${dealer.id}/activate`, { method: 'POST', expect: 200 });
    expect((await t.call('/v1/deposits', { ...as.customer, method: 'POST', body: { pages: 7 } })).statusCode).toBe(201);
    expect((await t.call(`/v1/accounts/${customer.id}`, { ...as.dealer, method: 'PATCH', body: { name: 'Customer Awake' } })).statusCode).toBe(200);
    // Deactivating the customer alone stops the customer, not its dealer.
    await t.json(`/v1/accounts/${customer.id}/deactivate`, { method: 'POST', key: dealer.key, expect: 200 });
    expect((await t.call('/v1/deposits', { ...as.customer, method: 'POST', body: { pages: 7 } })).statusCode).toBe(403);
    expect((await t.call('/v1/users', { ...as.dealer, method: 'POST', body: { email: 'still@inactive.example' } })).statusCode).toBe(201);
  });
});
