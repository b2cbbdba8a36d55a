// Shapes servers, feeds, devices, anomalies and runs for the wire: no password, timestamps without fractions.
import { withinBusinessDays } from '../domain/calendar.ts';
import { isoTimestamp } from '../http/wire.ts';
import type { RunFeedRow, RunRow } from '../collection/runs.ts';
import type { AnomalyRow, DeviceRow, FeedRow } from './feeds-service.ts';
import type { ServerRow } from './servers-service.ts';

export function serverView(row: ServerRow) {
  return {
    id: row.id,
    account_id: row.account_id,
    type: row.type,
    label: row.label,
    url: row.url,
    username: row.username,
    contact: row.contact,
    created_at: isoTimestamp(row.created_at),
    partner_id: row.partner_id,
    auth_url: row.auth_url,
    health_check: row.health_check,
    health_check_checked_at: isoTimestamp(row.health_check_checked_at),
    health_check_changed_at: isoTimestamp(row.health_check_changed_at),
    health_check_message: row.health_check_message,
  };
}

export function feedView(row: FeedRow) {
  return {
    id: row.id,
    account_id: row.account_id,
    type: row.type,
    server_id: row.server_id,
    external_id: row.external_id,
    external_name: row.external_name,
    collection_scope: row.collection_scope,
    created_at: isoTimestamp(row.created_at),
    status: row.status,
    activated_at: isoTimestamp(row.activated_at),
    deactivated_at: isoTimestamp(row.deactivated_at),
    health_check: row.health_check,
    health_check_checked_at: isoTimestamp(row.health_check_checked_at),
    health_check_changed_at: isoTimestamp(row.health_check_changed_at),
    last_collected_at: isoTimestamp(row.last_collected_at),
    last_reading_at: isoTimestamp(row.last_reading_at),
    last_error: row.last_error,
  };
}

export function deviceView(row: DeviceRow, now: Date) {
  return {
    device_id: row.device_id,
    managed: row.managed,
    initial_count: row.initial_count,
    latest_count: row.latest_count,
    life_count: row.life_count,
    first_read_at: isoTimestamp(row.first_read_at),
    latest_read_at: isoTimestamp(row.latest_read_at),
    stale: row.latest_read_at !== null && !withinBusinessDays(row.latest_read_at, now, 3),
    anomalies: row.anomalies,
  };
}

export function anomalyView(row: AnomalyRow) {
  return { ...row, read_at: isoTimestamp(row.read_at), created_at: isoTimestamp(row.created_at) };
}

export function runFeedView(row: RunFeedRow) {
  return { ...row, finished_at: isoTimestamp(row.finished_at) };
}

export function runView(row: RunRow) {
  return {
    ...row,
    created_at: isoTimestamp(row.created_at),
    started_at: isoTimestamp(row.started_at),
    finished_at: isoTimestamp(row.finished_at),
  };
}
