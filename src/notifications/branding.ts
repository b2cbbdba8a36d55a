// A dealer's sender name and short line for its subtree's certificate emails: the nearest ancestor's setting wins.
import type { Queryable } from '../db/database.ts';
import { InvalidInput } from '../domain/errors.ts';
import type { AccountRef } from '../keys/api-keys.ts';

export interface Branding {
  sender_name: string;
  line: string | null;
  /** the account whose setting applies */
  account_id: string;
}

/** The branding that applies to each account: its own, else its nearest ancestor's; absent when none sets one. */
export async function brandingFor(db: Queryable, accountIds: string[]): Promise<Map<string, Branding>> {
  const rows = await db.query<Branding & { for_account: string }>(
    `SELECT DISTINCT ON (a.id) a.id AS for_account, b.account_id, b.sender_name, b.line FROM accounts a
       JOIN accounts anc ON starts_with(a.path, anc.path) JOIN mail_branding b ON b.account_id = anc.id
      WHERE a.id = ANY($1::uuid[]) ORDER BY a.id, length(anc.path) DESC`,
    [accountIds],
  );
  return new Map(rows.map(({ for_account, ...branding }) => [for_account, branding]));
}

export async function effectiveBranding(db: Queryable, accountId: string): Promise<Branding | null> {
  return (await brandingFor(db, [accountId])).get(accountId) ?? null;
}

export async function ownBranding(db: Queryable, account: AccountRef): Promise<{ sender_name: string | null; line: string | null }> {
  const rows = await db.query<{ sender_name: string; line: string | null }>(`SELECT sender_name, line FROM mail_branding WHERE account_id = $1`, [account.id]);
  return rows[0] ?? { sender_name: null, line: null };
}

/** Sets (or with a null sender name, removes) the account's own branding. */
export async function setBranding(db: Queryable, account: AccountRef, input: { sender_name: string | null; line?: string | null }, now: Date) {
  const name = input.sender_name?.trim() ?? '';
  if (name === '') {
    await db.query(`DELETE FROM mail_branding WHERE account_id = $1`, [account.id]);
    return ownBranding(db, account);
  }
  if (/[\r\n<>"]/.test(name)) throw new InvalidInput('sender_name', 'must not contain line breaks, quotes or angle brackets');
  await db.query(
    `INSERT INTO mail_branding (account_id, sender_name, line, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id) DO UPDATE SET sender_name = $2, line = $3, updated_at = $4`,
    [account.id, name, input.line?.trim() || null, now],
  );
  return ownBranding(db, account);
}

/** How a message is signed: Canopy alone, or the dealer beside Canopy. */
export function signatureLine(branding: Branding | null): string {
  return branding ? `${branding.sender_name}, with Canopy${branding.line ? ` · ${branding.line}` : ''}` : 'Canopy';
}
