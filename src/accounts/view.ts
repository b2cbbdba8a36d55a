// Shapes account rows for the wire.
import { isoTimestamp } from '../http/wire.ts';
import type { AccountFigures } from './figures.ts';
import type { AccountRow } from './service.ts';

export function accountView(row: AccountRow) {
  return {
    id: row.id,
    name: row.name,
    display_name: row.display_name,
    role: row.role,
    created_at: isoTimestamp(row.created_at),
    parent_id: row.parent_id,
    external_id: row.external_id,
    status: row.status,
    activated_at: isoTimestamp(row.activated_at),
    deactivated_at: isoTimestamp(row.deactivated_at),
  };
}

export function expandedAccountView(row: AccountRow, figures: AccountFigures) {
  return {
    ...accountView(row), accounts_count: row.accounts_count, users_count: row.users_count, ...figures,
    rate: row.rate === null ? null : Number(row.rate),
  };
}
