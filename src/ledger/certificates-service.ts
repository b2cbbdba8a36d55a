// Certificates of Reforestation: read with their forestry project, by account or (for the shareable page) by id.
import { PROJECT_COLUMNS, type ForestryProjectRow } from '../catalog/projects.ts';
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';
import { limitClause, type PageRequest } from '../http/pagination.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { rangeCondition, type InstantRange } from './date-range.ts';

export interface CertificateRow {
  id: string;
  account_id: string;
  date: Date;
  pages: number;
  /** exact numeric text */
  trees: string;
  created_at: Date;
  kind: 'direct' | 'month_close';
  /** 'YYYY-MM-DD', first day of the closed month, for month-close certificates */
  period: string | null;
  project_id: string;
  /** The project as the catalog serves it. */
  project: ForestryProjectRow;
}

const SELECT_CERTIFICATE = `SELECT c.id, c.account_id, c.date, c.pages, c.trees::text AS trees, c.created_at,
    t.kind, t.period::text AS period,
    c.project_id, (SELECT to_jsonb(s) FROM (SELECT ${PROJECT_COLUMNS} FROM forestry_projects p WHERE p.id = c.project_id) s) AS project
  FROM certificates c JOIN transactions t ON t.id = c.id`;

/** Reverse-chronological by date. */
export async function listCertificates(db: Queryable, account: AccountRef, range: InstantRange, page: PageRequest): Promise<CertificateRow[]> {
  const limit = limitClause(page, 4);
  return db.query<CertificateRow>(
    `${SELECT_CERTIFICATE} WHERE c.account_id = $1 AND ${rangeCondition('c.date', 2)}
      ORDER BY c.date DESC, c.id ${limit.sql}`,
    [account.id, range.from, range.until, ...limit.params],
  );
}

/** The account's certificates and those of every account below it, newest first, each with its account's name. */
export async function listSubtreeCertificates(
  db: Queryable, account: AccountRef, range: InstantRange, page: PageRequest,
): Promise<Array<CertificateRow & { account_name: string }>> {
  const limit = limitClause(page, 4);
  return db.query<CertificateRow & { account_name: string }>(
    `SELECT x.*, a.name AS account_name FROM (${SELECT_CERTIFICATE}) x JOIN accounts a ON a.id = x.account_id
      WHERE a.path LIKE $1 AND ${rangeCondition('x.date', 2)}
      ORDER BY x.date DESC, x.id ${limit.sql}`,
    [`${account.path}%`, range.from, range.until, ...limit.params],
  );
}

export async function getCertificate(db: Queryable, account: AccountRef, id: string): Promise<CertificateRow> {
  const rows = await db.query<CertificateRow>(`${SELECT_CERTIFICATE} WHERE c.id = $1 AND c.account_id = $2`, [id, account.id]);
  if (rows.length === 0) throw new NotFound('Certificate');
  return rows[0];
}

export interface PublicCertificateRow extends CertificateRow {
  account_name: string;
}

/** Any certificate by its (unguessable) id, with the account's display name: the shareable receipt. */
export async function findCertificate(db: Queryable, id: string): Promise<PublicCertificateRow> {
  const rows = await db.query<PublicCertificateRow>(
    `SELECT x.*, a.display_name AS account_name FROM (${SELECT_CERTIFICATE} WHERE c.id = $1) x JOIN accounts a ON a.id = x.account_id`,
    [id],
  );
  if (rows.length === 0) throw new NotFound('Certificate');
  return rows[0];
}
