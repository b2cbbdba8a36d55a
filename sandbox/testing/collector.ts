// A reference collector over served Print Tracker meter reads (DESIGN.md's rules, robust to every variant), used by tests as an oracle.

const DAY = 86_400_000;

export interface CounterValue {
  displayName: string;
  /** A decimal string when readable; anything else (a JSON number included) is unreadable. */
  value: unknown;
}

export interface MeterRead {
  id: string;
  createdDate?: string;
  modifiedDate?: string;
  entityKey: string;
  installKey: string;
  deviceKey: string;
  timestamp: string;
  pageCounts: Record<string, Record<string, CounterValue>> | null;
  supplies: Record<string, unknown> | null;
}

export type AnomalyKind = 'missing_total' | 'unreadable_counter' | 'counter_reset';

export interface Anomaly {
  kind: AnomalyKind;
  deviceKey: string;
  readId: string;
  timestamp: string;
  detail: string;
}

export type Counter = { ok: true; value: number } | { ok: false; kind: 'missing_total' | 'unreadable_counter'; detail: string };

/**
 * The lifetime counter of a read: `life.total` when the read has a `life` format, else `default.total`.
 * Only a decimal string is read; no other format is guessed at, and `default.total` never stands in for
 * an unreadable `life.total` (it counts less).
 */
export function lifetimeCounter(read: MeterRead): Counter {
  const counts = read.pageCounts ?? {};
  const format = counts.life ? 'life' : 'default';
  const total = counts[format]?.total;
  if (!total) return { ok: false, kind: 'missing_total', detail: `no ${format}.total (counters: ${Object.keys(counts[format] ?? {}).join(', ') || 'none'})` };
  const v = total.value;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) return { ok: false, kind: 'unreadable_counter', detail: `${format}.total is ${JSON.stringify(v)}` };
  return { ok: true, value: Number(v) };
}

/** The lifetime counter of a read, or undefined when it has none or it is unreadable. */
export function lifetimeCount(read: MeterRead): number | undefined {
  const c = lifetimeCounter(read);
  return c.ok ? c.value : undefined;
}

const instantOf = (read: MeterRead): number => {
  const ms = Date.parse(read.timestamp);
  if (!Number.isFinite(ms)) throw new Error(`read ${read.id}: timestamp ${read.timestamp} is not a date`);
  return ms;
};

/** Drops reads seen before: the same read id, or the same device and instant (redundant installs report one reading each). */
export function dedupeReads(reads: Iterable<MeterRead>): MeterRead[] {
  const ids = new Set<string>();
  const readings = new Set<string>();
  const out: MeterRead[] = [];
  for (const r of reads) {
    const reading = `${r.deviceKey} ${instantOf(r)}`;
    if (ids.has(r.id) || readings.has(reading)) continue;
    ids.add(r.id);
    readings.add(reading);
    out.push(r);
  }
  return out;
}

/**
 * Daily deposits (UTC `YYYY-MM-DD` -> pages) from reads of some devices, in any order and with repeats:
 * per device, the last usable read of a day minus the previous usable read; the first is a baseline (so are
 * `baselines`, reads from before the window); a lower read is a new baseline. Unusable reads are skipped and
 * reported in `anomalies`.
 */
export function dailyDeposits(reads: Iterable<MeterRead>, baselines: Iterable<MeterRead> = [], anomalies: Anomaly[] = []): Map<string, number> {
  const byDevice = new Map<string, MeterRead[]>();
  for (const r of dedupeReads([...baselines, ...reads])) {
    const c = lifetimeCounter(r);
    if (!c.ok) {
      anomalies.push({ kind: c.kind, deviceKey: r.deviceKey, readId: r.id, timestamp: r.timestamp, detail: c.detail });
      continue;
    }
    const list = byDevice.get(r.deviceKey) ?? [];
    list.push(r);
    byDevice.set(r.deviceKey, list);
  }
  const out = new Map<string, number>();
  for (const list of byDevice.values()) {
    list.sort((a, b) => instantOf(a) - instantOf(b));
    const lastOfDay = new Map<string, MeterRead>();
    for (const r of list) lastOfDay.set(new Date(instantOf(r)).toISOString().slice(0, 10), r);
    let prev: number | undefined;
    for (const [day, r] of lastOfDay) {
      const count = lifetimeCount(r)!;
      if (prev !== undefined && count >= prev) out.set(day, (out.get(day) ?? 0) + count - prev);
      else if (prev !== undefined) anomalies.push({ kind: 'counter_reset', deviceKey: r.deviceKey, readId: r.id, timestamp: r.timestamp, detail: `${prev} -> ${count}` });
      prev = count;
    }
  }
  return out;
}

/** Reads a `mostRecentPriorTo` answer in any of its shapes: `[read]`, `[]`, a read object, `null`, a zero-valued read, or 404. */
export function priorToRead(status: number, body: unknown): MeterRead | undefined {
  if (status === 404) return undefined;
  if (status !== 200) throw new Error(`mostRecentPriorTo answered ${status}`);
  const candidates = (Array.isArray(body) ? body : [body]).filter(
    (x): x is MeterRead => typeof x === 'object' && x !== null && typeof (x as MeterRead).id === 'string' && (x as MeterRead).id !== ''
      && typeof (x as MeterRead).timestamp === 'string' && Date.parse((x as MeterRead).timestamp) > 0,
  );
  // Never trust the order of an array: the latest is the one.
  return candidates.sort((a, b) => instantOf(b) - instantOf(a))[0];
}

export interface CollectOptions {
  /** Print Tracker origin (the sandbox's `printtracker.url`); the API is under `/v1`. */
  url: string;
  apiKey: string;
  /** Customer entity; its whole subtree is collected. */
  entityId: string;
  /** First and last UTC day to deposit, `YYYY-MM-DD`. */
  start: string;
  end: string;
  scope: 'all' | 'managed_only';
  chunkDays?: number;
  pageSize?: number;
}

export interface Collected {
  deposits: Map<string, number>;
  anomalies: Anomaly[];
  /** Reads received, repeats included. */
  reads: number;
  requests: number;
}

/**
 * Collects one customer over HTTP as DESIGN.md says, without relying on anything the sources leave open:
 * walks the subtree (ids as a set), lists devices page by page, takes each device's baseline from
 * `mostRecentPriorTo` (stepping back past unusable reads), reads `/meter` per entity in chunks (dates as
 * RFC3339 with `Z`), dedupes, and reads only HTTP statuses, never error bodies.
 */
export async function collectPrintTracker(o: CollectOptions): Promise<Collected> {
  const base = `${o.url}/v1`;
  const headers = { 'x-api-key': o.apiKey };
  const managedOnly = o.scope === 'managed_only';
  let requests = 0;
  const call = async (path: string): Promise<{ status: number; body: unknown }> => {
    requests++;
    const res = await fetch(`${base}${path}`, { headers });
    const text = await res.text();
    if (res.status !== 200) return { status: res.status, body: undefined };
    return { status: 200, body: JSON.parse(text) as unknown };
  };
  const must = async <T>(path: string): Promise<T> => {
    const r = await call(path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
    return r.body as T;
  };

  const entity = await must<{ children: { id: string }[] }>(`/entity/${o.entityId}?includeChildren=true`);
  const entityIds = new Set([o.entityId, ...entity.children.map((c) => c.id)]);

  const pageSize = o.pageSize ?? 100;
  const devices = new Map<string, string>();
  for (let page = 1; ; page++) {
    const list = await must<{ id: string; entityKey: string }[]>(
      `/entity/${o.entityId}/device?includeChildren=true&limit=${pageSize}&page=${page}${managedOnly ? '&excludeDisabled=true' : ''}`);
    for (const d of list) devices.set(d.id, d.entityKey);
    if (list.length < pageSize) break;
  }

  const startMs = Date.parse(`${o.start}T00:00:00Z`);
  const endMs = Date.parse(`${o.end}T00:00:00Z`) + DAY - 1;
  const iso = (ms: number) => new Date(ms).toISOString();

  const baselines: MeterRead[] = [];
  for (const [deviceId, entityKey] of devices) {
    let date = startMs - 1;
    for (let step = 0; step < 10_000; step++) {
      const r = await call(`/entity/${entityKey}/device/${deviceId}/meter/mostRecentPriorTo?date=${iso(date)}`);
      const read = priorToRead(r.status, r.body);
      if (!read) break;
      const c = lifetimeCounter(read);
      if (c.ok) {
        baselines.push(read);
        break;
      }
      // A device without a total never deposits; an unreadable read is stepped over.
      if (c.kind === 'missing_total') break;
      date = instantOf(read) - 1;
    }
  }

  const reads: MeterRead[] = [];
  const chunk = (o.chunkDays ?? 31) * DAY;
  for (const id of entityIds) {
    for (let from = startMs; from <= endMs; from += chunk) {
      const to = Math.min(from + chunk - 1, endMs);
      reads.push(...await must<MeterRead[]>(`/entity/${id}/meter?start=${iso(from)}&end=${iso(to)}${managedOnly ? '&excludeDisabled=true' : ''}`));
    }
  }

  const anomalies: Anomaly[] = [];
  const all = dailyDeposits(reads, baselines, anomalies);
  const deposits = new Map<string, number>();
  for (const [day, pages] of all) if (day >= o.start && day <= o.end) deposits.set(day, pages);
  return { deposits, anomalies, reads: reads.length, requests };
}
