// What `canopy accounts list` and `canopy users list` print: the tree of accounts and the users, as aligned text.
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';

interface ListedAccount {
  id: string;
  name: string;
  role: string;
  status: string;
  parent_id: string | null;
  path: string;
}

/** Columns padded to their widest cell, so ids and names line up on a terminal. */
export function alignColumns(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd());
}

/** The path prefix of the accounts at and below one ('' for all of them). */
async function pathOf(db: Queryable, accountId: string | null): Promise<string> {
  if (accountId === null) return '';
  const [top] = await db.query<{ path: string }>(`SELECT path FROM accounts WHERE id = $1`, [accountId]);
  if (!top) throw new NotFound('Account');
  return top.path;
}

async function accountsBelow(db: Queryable, accountId: string | null): Promise<ListedAccount[]> {
  return db.query<ListedAccount>(`SELECT id, name, role, status, parent_id, path FROM accounts WHERE path LIKE $1`, [`${await pathOf(db, accountId)}%`]);
}

/** Every account (or those at and below one), parents before children, siblings by name; indented with `tree`. */
export async function accountLines(db: Queryable, accountId: string | null, tree: boolean): Promise<string[]> {
  const all = await accountsBelow(db, accountId);
  const ids = new Set(all.map((a) => a.id));
  const children = new Map<string | null, ListedAccount[]>();
  for (const a of all) {
    const parent = a.parent_id !== null && ids.has(a.parent_id) ? a.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), a]);
  }
  const rows: string[][] = [['ID', 'NAME', 'ROLE', 'STATUS']];
  const walk = (parent: string | null, depth: number) => {
    const list = (children.get(parent) ?? []).sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id));
    for (const a of list) {
      rows.push([a.id, `${tree ? '  '.repeat(depth) : ''}${a.name}`, a.role, a.status]);
      walk(a.id, depth + 1);
    }
  };
  walk(null, 0);
  return alignColumns(rows);
}

/** Every user (or those of the accounts at and below one), with the account and whether a password is set. */
export async function listUsersBelow(db: Queryable, accountId: string | null): Promise<string[]> {
  const users = await db.query<{ email: string; name: string | null; account_id: string; account_name: string; password: boolean }>(
    `SELECT u.email, u.name, u.account_id, a.name AS account_name,
        EXISTS (SELECT 1 FROM user_passwords p WHERE p.user_id = u.id) AS password
       FROM users u JOIN accounts a ON a.id = u.account_id WHERE a.path LIKE $1 ORDER BY lower(u.email), u.id`,
    [`${await pathOf(db, accountId)}%`],
  );
  if (users.length === 0) return [];
  return alignColumns([
    ['EMAIL', 'NAME', 'ACCOUNT', 'ACCOUNT ID', 'PASSWORD'],
    ...users.map((u) => [u.email, u.name ?? '—', u.account_name, u.account_id, u.password ? 'set' : 'not set (invite again for a link)']),
  ]);
}
