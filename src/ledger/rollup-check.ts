// Proves the monthly roll-up exact: recomputes it from the ledger and reports every account-month that differs.
import type { Queryable } from '../db/database.ts';

export interface RollupDrift {
  account_id: string;
  /** 'YYYY-MM' */
  month: string;
  /** exact numeric text */
  stored: string;
  expected: string;
}

/**
 * The roll-up must equal, for every account and UTC month, the standard pages of the deposits plus the
 * direct transactions of the account and its descendants (month-close transactions are their deposits).
 * Scans the whole ledger: for tests, checks and repairs, never for a request.
 */
export async function monthlyPagesDrift(db: Queryable): Promise<RollupDrift[]> {
  return db.query<RollupDrift>(
    `WITH entries AS (
       SELECT account_id, date_trunc('month', day::timestamp)::date AS month, standard_pages AS pages FROM deposits
       UNION ALL
       SELECT account_id, date_trunc('month', date AT TIME ZONE 'UTC')::date, pages FROM transactions WHERE kind = 'direct'
     ), expected AS (
       SELECT ancestor.id AS account_id, e.month, sum(e.pages) AS pages
         FROM entries e
         JOIN accounts owner ON owner.id = e.account_id
         JOIN accounts ancestor ON owner.path LIKE ancestor.path || '%'
        GROUP BY ancestor.id, e.month
     )
     SELECT coalesce(x.account_id, s.account_id) AS account_id, to_char(coalesce(x.month, s.month), 'YYYY-MM') AS month,
            coalesce(s.standard_pages, 0)::text AS stored, coalesce(x.pages, 0)::text AS expected
       FROM expected x FULL OUTER JOIN account_monthly_pages s ON s.account_id = x.account_id AND s.month = x.month
      WHERE coalesce(s.standard_pages, 0) <> coalesce(x.pages, 0)
      ORDER BY 1, 2`,
  );
}
