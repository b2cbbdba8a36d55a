// Which forestry project receives an account's trees: its first selected active project, else the default.
import type { Queryable } from '../db/database.ts';
import { NotFound } from '../domain/errors.ts';

export async function certificateProjectFor(db: Queryable, accountId: string): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM (
       SELECT p.id, 0 AS rank, ap.created_at FROM account_projects ap JOIN forestry_projects p ON p.id = ap.project_id
        WHERE ap.account_id = $1 AND p.status = 'active'
       UNION ALL
       SELECT id, 1, created_at FROM forestry_projects WHERE is_default AND status = 'active'
     ) candidates ORDER BY rank, created_at LIMIT 1`,
    [accountId],
  );
  if (rows.length === 0) throw new NotFound('Active forestry project');
  return rows[0].id;
}
