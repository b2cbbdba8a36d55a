import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import { createKey, revokeKey } from './api-keys.ts';

describe(`keys revoke reads all of the text it is given (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const active = async (key: string) => (await t.call('/v1/account', { key })).statusCode === 200;

  it('revokes by the whole key or its exact first 8 characters, and never by a text that only starts like one', async () => {
    const account = await t.account('Key owner');
    const one = (await createKey(t.db, account.id, 'one', 'sharedAB_first_key_000000')).key;
    const two = (await createKey(t.db, account.id, 'two', 'sharedAB_second_key_00000')).key;

    // Once the first 8 characters were read alone, this would have revoked one of them.
    await expect(revokeKey(t.db, 'sharedAB_third')).rejects.toThrow(InvalidInput);
    await expect(revokeKey(t.db, 'sharedAB_third')).rejects.toThrow(
      'key prefix matches no active key: give the whole key, or exactly its first 8 characters as keys list shows them',
    );
    await expect(revokeKey(t.db, 'sharedAB_first')).rejects.toThrow(InvalidInput);
    // Two active keys share the prefix: refused, naming the way out.
    await expect(revokeKey(t.db, 'sharedAB')).rejects.toThrow(Conflict);
    await expect(revokeKey(t.db, 'sharedAB')).rejects.toThrow('2 active keys start with "sharedAB"; give the whole key to revoke one of them');
    expect([await active(one), await active(two)]).toEqual([true, true]);

    expect(await revokeKey(t.db, one)).toMatchObject({ accountId: account.id });
    expect([await active(one), await active(two)]).toEqual([false, true]);
    // Now the prefix names one active key.
    await revokeKey(t.db, 'sharedAB');
    expect(await active(two)).toBe(false);
  });

  it('refuses short, unknown and already revoked texts', async () => {
    await expect(revokeKey(t.db, 'short')).rejects.toThrow('key prefix must be at least 8 characters');
    await expect(revokeKey(t.db, 'zzzzzzzz')).rejects.toThrow(NotFound);
    const account = await t.account('Key owner 2');
    const key = (await createKey(t.db, account.id, null)).key;
    await revokeKey(t.db, key);
    await expect(revokeKey(t.db, key)).rejects.toThrow(InvalidInput);
    await expect(revokeKey(t.db, key.slice(0, 8))).rejects.toThrow(NotFound);
  });
});
