import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';

describe(`Idempotency-Key on POST (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('replays the first response for the same key and body, creating nothing new', async () => {
    const headers = { 'idempotency-key': 'create-dealer-1' };
    const first = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Dealer Once' }, headers });
    expect(first.statusCode).toBe(201);
    const again = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Dealer Once' }, headers });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    const children = await t.json('/v1/accounts');
    expect(children.filter((a: { name: string }) => a.name === 'Dealer Once')).toHaveLength(1);
  });

  it('answers 409 when the same key comes with a different body', async () => {
    const headers = { 'idempotency-key': 'create-dealer-2' };
    await t.json('/v1/accounts', { method: 'POST', body: { name: 'Dealer Two' }, headers });
    const res = await t.call('/v1/accounts', { method: 'POST', body: { name: 'Dealer Three' }, headers });
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toEqual({ code: 409, error: 'Idempotency-Key was already used with a different request' });
    const names = (await t.json('/v1/accounts')).map((a: { name: string }) => a.name);
    expect(names).not.toContain('Dealer Three');
  });

  it('replays errors too, and keys are per account', async () => {
    const channel = await t.account('Dealer Keys');
    const customer = await t.account('Customer Keys', { key: channel.key });
    const headers = { 'idempotency-key': 'k-1' };
    const denied = await t.call('/v1/accounts', { method: 'POST', key: customer.key, body: { name: 'x' }, headers });
    expect(denied.statusCode).toBe(403);
    const replay = await t.call('/v1/accounts', { method: 'POST', key: customer.key, body: { name: 'x' }, headers });
    expect(replay.statusCode).toBe(403);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // The same key string from another account is a different request.
    const other = await t.call('/v1/accounts', { method: 'POST', key: channel.key, body: { name: 'x' }, headers });
    expect(other.statusCode).toBe(201);
  });
});
