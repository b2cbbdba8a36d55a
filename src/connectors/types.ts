// One interface over the upstreams: a health check, the entities a feed maps to, and what each can collect.
import type { MeterReadSet } from './printtracker/meter-reads.ts';
import type { UpstreamOptions, UpstreamStats } from './http/upstream-client.ts';

export const SERVER_TYPES = ['printtracker', 'pharos', 'printix'] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

/** What a connector needs to reach a server, password decrypted (kept in memory only). */
export interface ServerAccess {
  id: string;
  type: ServerType;
  url: string;
  username: string | null;
  password: string;
  partnerId: string | null;
  authUrl: string | null;
  /** what Canopy has learnt about the server's answers */
  traits: Record<string, unknown>;
}

/** An upstream customer (or site, or tenant) a feed's external_id can name. */
export interface UpstreamEntity {
  id: string;
  name: string;
  kind: 'entity' | 'tenant';
  /** the enclosing entity, when the upstream says */
  parent_id: string | null;
}

export interface CounterReadingAt {
  at: number;
  count: number;
}

/** Print Tracker: lifetime counters read by collection agents. */
export interface CounterSource {
  kind: 'counters';
  /** The entity and every entity below it (sites under a customer). */
  entityTree(entityId: string): Promise<string[]>;
  /** Every read of devices on these entities with from ≤ timestamp ≤ to, into one de-duplicating set. */
  meterReads(entityIds: readonly string[], from: number, to: number, managedOnly: boolean, into: MeterReadSet): Promise<void>;
  /** The device's last readable reading strictly before `before`, or null when it has none. */
  priorReading(entityId: string, deviceId: string, before: number): Promise<CounterReadingAt | null>;
  /** The managed flag of the devices under an entity, where the upstream reports one. */
  managedFlags(entityId: string): Promise<Map<string, boolean>>;
}

/** Pages of one UTC day on one paper size (null size: the upstream did not say). */
export interface DailyPaperPages {
  day: string;
  paperSize: string | null;
  pages: number;
}

/** Pharos: print jobs, exact per day and paper size. */
export interface JobSource {
  kind: 'jobs';
  /** Pages per UTC day and paper size for the days from..to (both included). */
  dailyPages(fromDay: string, toDay: string): Promise<{ pages: DailyPaperPages[]; jobs: number; devices: number; lastJobAt: number | null }>;
  /** Traits learnt while reading (e.g. whether the end day is inclusive), to keep on the server. */
  learntTraits(): Record<string, unknown>;
}

export interface PrintixTenant {
  id: string;
  tenant_name: string;
  tenant_domain: string;
}

export interface BillingPeriod {
  period_start: string | null;
  period_end: string | null;
  printing_users: number | null;
  user_licenses: number | null;
}

export interface TenantBilling {
  tenant_name: string;
  tenant_domain: string;
  current_user_licenses: number | null;
  current_billing_period: BillingPeriod | null;
  previous_billing_period: BillingPeriod | null;
}

/** Printix: tenants and their billing; no page counts. */
export interface TenantSource {
  kind: 'tenants';
  tenant(tenantId: string): Promise<PrintixTenant | null>;
  billing(tenantId: string): Promise<TenantBilling>;
  provision(input: { tenant_name: string; tenant_domain: string; initial_user?: { email: string; name: string } | null }): Promise<PrintixTenant>;
}

/** How a connector talks to its server. */
export interface ConnectorOptions extends UpstreamOptions {
  /** longest date range asked in one request */
  requestRangeDays: number;
  /** reads the shared clock (Printix token expiry) */
  now?: () => number;
}

export interface Connector {
  readonly type: ServerType;
  /** Connects with the credentials; throws UpstreamError saying what went wrong. */
  check(): Promise<void>;
  entities(): Promise<UpstreamEntity[]>;
  readonly source: CounterSource | JobSource | TenantSource;
  readonly stats: UpstreamStats;
  close(): Promise<void>;
}
