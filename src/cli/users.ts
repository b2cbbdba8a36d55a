// `canopy users invite|list`: a user of an account and a one-time link to set the dashboard password; who can sign in.
import type { Config } from '../config.ts';
import { isUuid } from '../domain/ids.ts';
import { NotFound } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { createPasswordLink, LINK_LIFETIME_HOURS, passwordLinkPath } from '../sessions/password-links.ts';
import { createUser } from '../users/service.ts';
import { isoTimestamp } from '../http/wire.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';
import { listUsersBelow } from './listings.ts';
import { emailInvitationIfSmtp } from '../notifications/password-link-email.ts';

/** Where the dashboard is reached: CANOPY_PUBLIC_URL, else this machine on the configured port. */
export function dashboardBaseUrl(config: Pick<Config, 'publicUrl' | 'port' | 'tlsCert'>): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  return `${config.tlsCert ? 'https' : 'http'}://localhost:${config.port}`;
}

export const usersCommand: StoreCommand = {
  name: 'users',
  usage: 'users invite --account <account-id> --email <email> [--name <text>] | users list [--account <account-id>]',
  help: `Usage: canopy users invite --account <account-id> --email <email> [--name <text>]
       canopy users list [--account <account-id>]

  invite    make the user (if new) and print a one-time link, valid 72 hours, to set the dashboard
            password; inviting again prints a new link (the older one stops working)
  list      every user with their account and whether a password is set (below --account, or all)
Options
  --account <id>   the account (a UUID; canopy accounts list shows them)
  --email <email>  the user's email, the sign-in name
  --name <text>    the user's name, shown on the dashboard

Example
  canopy users invite --account 0b6f3c2e-8d4a-4f1b-9c7e-2a5d8e1f4b3c --email you@example.com --name "Ada Lovelace"`,
  async execute({ db, config, clock, out }, argv) {
    const { values, positionals } = parseOptions('users', argv, { account: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } }, true);
    if (values.account !== undefined && !isUuid(values.account)) throw new UsageError('users: --account must be an account id (a UUID); canopy accounts list shows them');
    if (positionals[0] === 'list') {
      const users = await listUsersBelow(db, values.account ?? null);
      for (const line of users) out(line);
      if (users.length === 0) out('no users yet: canopy users invite --account <account-id> --email <email>');
      return 0;
    }
    if (positionals[0] !== 'invite') throw new UsageError(positionals[0] ? `users: unknown action "${positionals[0]}": use invite or list` : 'users: say invite or list');
    if (!values.account) throw new UsageError('users invite: --account <account-id> (a UUID) is required; canopy accounts list shows the ids');
    const email = values.email?.trim();
    if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('users invite: --email <email> (an email address) is required');
    const accounts = await db.query<AccountRef>(`SELECT id, name, role, path, status FROM accounts WHERE id = $1`, [values.account]);
    if (accounts.length === 0) throw new NotFound('Account');
    const account = accounts[0];
    const now = clock();
    // Inviting again makes a new link for the same user (the older link stops working). A user with the
    // email in another account is another user: this account gets its own (sign-in lets the person choose).
    const existing = await db.query<{ id: string }>(`SELECT id FROM users WHERE lower(email) = lower($1) AND account_id = $2`, [email, account.id]);
    const userId = existing[0]?.id ?? (await createUser(db, account, { email, name: values.name ?? null }, now)).id;
    const link = await createPasswordLink(db, account, userId, now);
    out(`${existing.length > 0 ? 'New link for' : 'Invited'} ${email} to ${account.name} (${account.id}).`);
    out(`One-time link to set the password (valid ${LINK_LIFETIME_HOURS} hours, until ${isoTimestamp(link.expiresAt)}):`);
    out(`${dashboardBaseUrl(config)}${passwordLinkPath(link.token)}`);
    if (await emailInvitationIfSmtp(db, config, link, account, now)) out(`Emailed to ${email} too (sent by the outbound job within a minute).`);
    return 0;
  },
};
