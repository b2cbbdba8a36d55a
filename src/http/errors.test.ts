import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { createKey, revokeKey } from '../keys/api-keys.ts';
import { buildApp } from '../app.ts';
import { mapError } from './errors.ts';

describe(`errors are {code, error} and name the field or rule (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const expectError = async (res: { statusCode: number; body: string }, code: number, error: string | RegExp) => {
    expect(res.statusCode).toBe(code);
    const body = JSON.parse(res.body);
    expect(Object.keys(body).sort()).toEqual(['code', 'error']);
    expect(body.code).toBe(code);
    if (typeof error === 'string') expect(body.error).toBe(error);
    else expect(body.error).toMatch(error);
  };

  it('401 without a key, with a wrong key, with a revoked key', async () => {
    const none = await t.call('/v1/account', { key: null });
    await expectError(none, 401, /API key required/);
    expect(none.headers['www-authenticate']).toContain('Basic');
    await expectError(await t.call('/v1/account', { key: 'not-a-real-key-000000' }), 401, 'API key is invalid or revoked');
    await expectError(
      await t.call('/v1/account', { key: null, headers: { authorization: 'Digest abc' } }),
      401,
      /API key required/,
    );
    const extra = await createKey(t.db, t.rootAccountId, 'to revoke');
    expect((await t.call('/v1/account', { key: extra.key })).statusCode).toBe(200);
    await revokeKey(t.db, extra.key);
    await expectError(await t.call('/v1/account', { key: extra.key }), 401, 'API key is invalid or revoked');
  });

  it('400 for a missing field, a wrong type, an unknown role, a malformed UUID, a non-object body', async () => {
    await expectError(await t.call('/v1/accounts', { method: 'POST', body: {} }), 400, 'name is required');
    await expectError(await t.call('/v1/accounts', { method: 'POST', body: { name: { first: 'x' } } }), 400, 'name must be a string');
    await expectError(
      await t.call('/v1/accounts', { method: 'POST', body: { name: 'x', role: 'boss' } }),
      400,
      'role must be one of: admin, channel, customer',
    );
    await expectError(await t.call('/v1/accounts/not-a-uuid'), 400, 'id must be a UUID');
    await expectError(await t.call('/v1/accounts/123/accounts'), 400, 'account_id must be a UUID');
    await expectError(await t.call('/v1/accounts', { method: 'POST', body: '[1,2]' }), 400, 'body must be a JSON object');
    await expectError(await t.call('/v1/users', { method: 'POST', body: { email: 'nope' } }), 400, 'email must be an email address');
    await expectError(await t.call('/v1/accounts?page=0'), 400, 'page must be at least 1');
  });

  it('400 for a body that is not JSON or too large, whatever its content type', async () => {
    await expectError(await t.call('/v1/accounts', { method: 'POST', body: '{"name": ' }), 400, 'body is not valid JSON');
    await expectError(
      await t.call('/v1/accounts', { method: 'POST', body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      400,
      'body is not valid JSON',
    );
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    await expectError(await t.call('/v1/accounts', { method: 'POST', body: big }), 400, /too large/);
    // Nothing was half-written by any failed request.
    expect((await t.json('/v1/account')).accounts_count).toBe(0);
  });

  it('JSON sent as text/plain (curl -d without a header) still works', async () => {
    const res = await t.call('/v1/accounts', {
      method: 'POST', body: JSON.stringify({ name: 'Plain' }), headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(201);
  });

  it('404 with {code, error} for unknown routes and absent records', async () => {
    await expectError(await t.call('/v1/nothing-here'), 404, /No route for GET \/v1\/nothing-here/);
    await expectError(await t.call('/v1/accounts/6dd962a0-a515-4a83-980e-d3bd7cbb243a'), 404, 'Account not found');
    await expectError(await t.call('/v1/users/6dd962a0-a515-4a83-980e-d3bd7cbb243a', { method: 'DELETE' }), 404, 'User not found');
  });

  it('an unexpected failure is a 500 that leaks nothing', async () => {
    const app = await buildApp({ db: t.db, config: t.config, clock: t.clock.read });
    app.get('/boom', async () => {
      await t.db.query('SELECT * FROM table_that_does_not_exist');
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    await expectError(res, 500, 'Internal server error');
    expect(res.body).not.toContain('table_that_does_not_exist');
    await app.close();
  });

  it('a unique violation nobody anticipated is a 409, not a 500', () => {
    expect(mapError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toEqual({
      status: 409,
      message: 'conflicts with an existing record',
    });
  });
});
