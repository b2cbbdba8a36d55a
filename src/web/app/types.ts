// Wire shapes the dashboard reads, as the /v1 API and /auth return them.

export interface SessionAccount {
  id: string;
  name: string;
  role: 'admin' | 'channel' | 'customer';
  status: string;
}

export interface Session {
  user: { id: string; email: string; name: string | null };
  account: SessionAccount;
  /** Every account the sign-in opened; more than one: the person chooses (account_chosen). */
  accounts: SessionAccount[];
  account_chosen: boolean;
  csrf_token: string;
  expires_at: string;
  co2_grams_per_page: number;
}

export interface Account {
  id: string;
  name: string;
  display_name: string;
  role: 'admin' | 'channel' | 'customer';
  parent_id: string | null;
  status: 'active' | 'inactive';
  created_at: string;
}

export interface ExpandedAccount extends Account {
  accounts_count: number;
  users_count: number;
  mtd_pages: number; qtd_pages: number; ytd_pages: number; ltd_pages: number;
  mtd_trees: number; qtd_trees: number; ytd_trees: number; ltd_trees: number;
}

export interface Project {
  id: string;
  name: string;
  status: 'active' | 'complete';
  forest_latitude: number | null;
  forest_longitude: number | null;
  content_introduction: string | null;
}

export interface Certificate {
  id: string;
  account_id: string;
  date: string;
  pages: number;
  trees: number;
  project: Project;
  url: string;
  pdf_url: string;
  /** with include_descendants=true: the account the certificate belongs to */
  account_name?: string;
}

export interface Transaction {
  id: string;
  certificate_id: string;
  date: string;
  pages: number;
  trees: number;
}

export interface Deposit {
  id: string;
  feed_id: string | null;
  date: string;
  pages: number;
}

export interface VolumePeriod {
  date: string;
  pages: number;
  trees: number;
}

export interface User {
  id: string;
  name: string | null;
  email: string;
  created_at: string;
}

export interface ApiKey {
  id: string;
  prefix: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export type Health = 'pending' | 'healthy' | 'unhealthy' | 'offline';

export interface Server {
  id: string;
  account_id: string;
  type: 'printtracker' | 'pharos' | 'printix';
  label: string | null;
  url: string | null;
  username: string | null;
  contact: string | null;
  partner_id: string | null;
  auth_url: string | null;
  health_check: Health;
  health_check_checked_at: string | null;
  health_check_changed_at: string | null;
  health_check_message: string | null;
}

export interface ConnectionTest {
  ok: boolean;
  result: string;
  message: string;
  checked_at: string;
}

export interface Entity {
  id: string;
  name: string;
  kind: 'entity' | 'tenant';
  parent_id: string | null;
}

export interface Feed {
  id: string;
  account_id: string;
  type: Server['type'] | 'import';
  server_id: string | null;
  external_id: string;
  external_name: string | null;
  collection_scope: 'all' | 'managed_only';
  status: 'active' | 'inactive';
  activated_at: string;
  health_check: Health;
  health_check_changed_at: string | null;
  last_collected_at: string | null;
  last_reading_at: string | null;
}

export interface CollectionRun {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'partial' | 'failed';
  feeds_total: number;
  feeds_done: number;
  devices: number;
  readings: number;
  pages: number;
  pages_read: number;
  anomalies: number;
  errors: number;
  error_messages: string[];
  outcomes: { collected: number; failed: number; offline: number; waited_for: number; skipped: number; open: number };
  /** only on POST: an identical pending run was returned instead of a new one */
  joined?: boolean;
}

export interface Device {
  device_id: string;
  managed: boolean;
  initial_count: number;
  latest_count: number;
  life_count: number;
  latest_read_at: string | null;
  anomalies: number;
}

export interface Anomaly {
  id: string;
  device_id: string;
  kind: string;
  day: string;
  detail: string | null;
}

export interface BillingPeriod {
  period_start: string;
  period_end: string;
  printing_users: number;
  user_licenses: number;
}

export interface Billing {
  tenant_name: string;
  tenant_domain: string;
  current_user_licenses: number;
  current_billing_period: BillingPeriod | null;
  previous_billing_period: BillingPeriod | null;
}

export type ImportKind = 'counters' | 'usage_daily' | 'usage_monthly';

export interface ImportMapping {
  kind: ImportKind;
  columns: Record<string, string | undefined>;
  delimiter: string;
  header_line: number;
  encoding: 'utf-8' | 'windows-1252';
  date_format: 'iso' | 'ymd' | 'mdy' | 'dmy';
  zone: string;
  thousands_separator: string | null;
}

export interface ImportProblem {
  row: number;
  column: string;
  rule: string;
  value: string | null;
}

export interface FileGuess {
  mapping: ImportMapping;
  headers: string[];
  notes: string[];
  preview: Array<{ row: number; values: Record<string, string>; problem: ImportProblem | null }>;
}

export interface ImportJob {
  id: string;
  status: 'waiting' | 'running' | 'succeeded' | 'failed';
  bytes_total: number | null;
  bytes_done: number;
  rows_done: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  refused: number;
  error: string | null;
}

export interface ImportSummary {
  job_id: string;
  rows: number;
  accepted: number;
  duplicates: number;
  conflicts: number;
  refused: number;
  problems: ImportProblem[];
  changed_days: Array<{ date: string; pages_before: number; pages_after: number }>;
}
