import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { UsageError } from './command.ts';
import { usersCommand } from './users.ts';

describe(`canopy users invite (${storeName})`, () => {
  let t: TestApp;
  let account: { id: string; key: string };
  let other: { id: string; key: string };

  const invite = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await usersCommand.execute(
      { db: t.db, config: { ...t.config, publicUrl: 'https://canopy.example.com/' }, clock: t.clock.read, out: (l) => lines.push(l) },
      ['invite', ...args],
    );
    return { code, lines, link: lines.find((l) => l.startsWith('https://')) ?? '' };
  };

  beforeAll(async () => {
    t = await createTestApp();
    account = await t.account('Dealer');
    other = await t.account('Other dealer');
  });
  afterAll(async () => t.close());

  it('makes the user and prints a one-time link on the public URL that sets the password', async () => {
    const { code, lines, link } = await invite('--account', account.id, '--email', 'pat@dealer.example', '--name', 'Pat');
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^Invited pat@dealer\.example to Dealer/);
    expect(link).toMatch(/^https:\/\/canopy\.example\.com\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    const users = await t.json('/v1/users', { key: account.key });
    expect(users).toMatchObject([{ email: 'pat@dealer.example', name: 'Pat' }]);
    const token = new URL(link).searchParams.get('token');
    expect((await t.call('/auth/password', { method: 'POST', key: null, body: { token, password: 'pat password 1' } })).statusCode).toBe(200);
  });

  it('inviting again makes a new link and the older one stops working', async () => {
    const first = await invite('--account', account.id, '--email', 'quinn@dealer.example');
    const second = await invite('--account', account.id, '--email', 'Quinn@dealer.example');
    expect(second.lines[0]).toMatch(/^New link for/);
    const token = (link: string) => new URL(link).searchParams.get('token');
    expect((await t.call(`/auth/password-links/${token(first.link)}`, { key: null })).statusCode).toBe(409);
    expect((await t.call(`/auth/password-links/${token(second.link)}`, { key: null })).statusCode).toBe(200);
  });

  it('invites an email another account uses as a user of its own, and refuses a missing email and a malformed account id', async () => {
    const elsewhere = await invite('--account', other.id, '--email', 'pat@dealer.example');
    expect(elsewhere.lines[0]).toMatch(/^Invited pat@dealer.example to /);
    const users = await t.db.query<{ account_id: string }>(`SELECT account_id FROM users WHERE lower(email) = 'pat@dealer.example' ORDER BY created_at`);
    expect(users.map((u) => u.account_id)).toContain(other.id);
    expect(users).toHaveLength(2);
    await expect(invite('--account', account.id)).rejects.toThrow(UsageError);
    await expect(invite('--account', 'nope', '--email', 'x@example.com')).rejects.toThrow(UsageError);
  });
});
