import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';

describe(`users and invitations (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('creates users with a default locale, lists them by name, counts them on the account', async () => {
    const channel = await t.account('Dealer U');
    const sally = await t.json('/v1/users', { method: 'POST', key: channel.key, body: { email: 'sally@example.com', name: 'Sally Example', locale: 'pt' } });
    expect(sally).toMatchObject({ account_id: channel.id, email: 'sally@example.com', name: 'Sally Example', locale: 'pt' });
    const david = await t.json('/v1/users', { method: 'POST', key: channel.key, body: { email: 'david@example.com', name: 'David Example' } });
    expect(david.locale).toBe('en');
    const list = await t.json('/v1/users', { key: channel.key });
    expect(list.map((u: { name: string }) => u.name)).toEqual(['David Example', 'Sally Example']);
    expect((await t.json('/v1/account', { key: channel.key })).users_count).toBe(2);
    expect(await t.json(`/v1/users/${sally.id}`, { key: channel.key })).toEqual(sally);
  });

  it('refuses a duplicate email (any case) with 409 and a missing email with 400', async () => {
    const channel = await t.account('Dealer U2');
    await t.json('/v1/users', { method: 'POST', key: channel.key, body: { email: 'dup@example.com' } });
    const dup = await t.call('/v1/users', { method: 'POST', key: channel.key, body: { email: 'DUP@example.com' } });
    expect(dup.statusCode).toBe(409);
    expect(JSON.parse(dup.body).error).toBe('email is already used by another user of this account');
    const missing = await t.call('/v1/users', { method: 'POST', key: channel.key, body: { name: 'No Email' } });
    expect(JSON.parse(missing.body)).toEqual({ code: 400, error: 'email is required' });
  });

  it('lets every tenant use an email another tenant uses: the answer reveals nothing about others', async () => {
    const dealerA = await t.account('Dealer Email A');
    const dealerB = await t.account('Dealer Email B');
    const customerB = await t.account('Customer Email B', { key: dealerB.key });
    const first = await t.call('/v1/users', { method: 'POST', key: dealerA.key, body: { email: 'shared@example.com' } });
    expect(first.statusCode).toBe(201);
    // Another tenant, and a descendant of another tenant: created as if the address were new.
    for (const key of [dealerB.key, customerB.key]) {
      const res = await t.call('/v1/users', { method: 'POST', key, body: { email: 'Shared@Example.com' } });
      expect(res.statusCode).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ email: 'Shared@Example.com' });
    }
    // Each tenant sees only its own user with that address.
    expect((await t.json('/v1/users', { key: dealerA.key })).map((u: { email: string }) => u.email)).toEqual(['shared@example.com']);
    expect((await t.json('/v1/users', { key: dealerB.key })).map((u: { email: string }) => u.email)).toEqual(['Shared@Example.com']);
    // Within one account an address is still taken once.
    const again = await t.call('/v1/users', { method: 'POST', key: dealerB.key, body: { email: 'SHARED@example.com' } });
    expect(JSON.parse(again.body)).toEqual({ code: 409, error: 'email is already used by another user of this account' });
  });

  it('deletes users, and manages users of a descendant through the account scope', async () => {
    const channel = await t.account('Dealer U3');
    const customer = await t.account('Customer U3', { key: channel.key });
    const user = await t.json(`/v1/accounts/${customer.id}/users`, { method: 'POST', key: channel.key, body: { email: 'c@example.com' } });
    expect(user.account_id).toBe(customer.id);
    expect(await t.json('/v1/users', { key: channel.key })).toEqual([]);
    expect(await t.json(`/v1/users/${user.id}`, { key: customer.key })).toMatchObject({ email: 'c@example.com' });
    expect((await t.call(`/v1/users/${user.id}`, { key: channel.key })).statusCode).toBe(404);
    expect(await t.json(`/v1/accounts/${customer.id}/users/${user.id}`, { method: 'DELETE', key: channel.key })).toEqual({ id: user.id, deleted: true });
    expect((await t.call(`/v1/users/${user.id}`, { key: customer.key })).statusCode).toBe(404);
  });

  it('keeps the invitations resource that older PrintReleaf clients call', async () => {
    const channel = await t.account('Dealer I');
    const inv = await t.json('/v1/invitations', { method: 'POST', key: channel.key, body: { email: 'new@example.com' } });
    expect(inv).toMatchObject({ account_id: channel.id, email: 'new@example.com' });
    expect(await t.json('/v1/invitations', { key: channel.key })).toEqual([inv]);
    const again = await t.call('/v1/invitations', { method: 'POST', key: channel.key, body: { email: 'new@example.com' } });
    expect(again.statusCode).toBe(409);
    expect(await t.json(`/v1/invitations/${inv.id}`, { method: 'DELETE', key: channel.key })).toEqual({ id: inv.id, deleted: true });
    expect(await t.json('/v1/invitations', { key: channel.key })).toEqual([]);
  });
});
