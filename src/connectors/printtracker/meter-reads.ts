// Print Tracker meter reads → one lifetime counter per read, or the reason it has none; duplicates dropped.
import { UpstreamError } from '../http/upstream-client.ts';
import { parsePrintTrackerTime } from './dates.ts';

export type UnreadableKind = 'missing_total' | 'unreadable_counter';

export interface MeterReading {
  /** upstream read id, when the read has one */
  id: string | null;
  deviceId: string;
  entityId: string | null;
  /** epoch ms */
  at: number;
  /** the lifetime counter; null when the read has none Canopy can trust */
  count: number | null;
  problem: { kind: UnreadableKind; detail: string } | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Counter texts Canopy accepts: decimal digits only. Anything else ("N/A", "1,234", "1.2e5") is never guessed at. */
const COUNTER = /^\d{1,15}$/;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * The lifetime counter of a read's page counts: `life.total` when the read has a `life` group, else
 * `default.total` (which, beside `life`, counts prints without copies and must not be used).
 */
export function lifetimeCounter(pageCounts: unknown): { count: number } | { kind: UnreadableKind; detail: string } {
  const groups = isObject(pageCounts) ? pageCounts : {};
  const life = isObject(groups.life) && Object.keys(groups.life).length > 0 ? groups.life : null;
  const group = life ?? (isObject(groups.default) ? groups.default : null);
  const name = life ? 'life.total' : 'default.total';
  const total = group?.total;
  if (!isObject(total) || !('value' in total)) {
    const present = group ? Object.keys(group).join(', ') || 'nothing' : 'no page counts';
    return { kind: 'missing_total', detail: `the read has no ${name} counter (it reports ${present}); not counted` };
  }
  const value = total.value;
  if (typeof value !== 'string' || !COUNTER.test(value)) {
    return { kind: 'unreadable_counter', detail: `${name} is ${shown(value)}, not a decimal counter; this read is skipped` };
  }
  return { count: Number(value) };
}

/** One read as served; null when it is not a meter read at all (no device or no readable timestamp). */
export function normalizeMeterRead(raw: unknown): MeterReading | null {
  if (!isObject(raw)) return null;
  const deviceId = typeof raw.deviceKey === 'string' && raw.deviceKey !== '' ? raw.deviceKey : null;
  const at = parsePrintTrackerTime(raw.timestamp);
  if (deviceId === null || at === null) return null;
  const counter = lifetimeCounter(raw.pageCounts);
  return {
    id: typeof raw.id === 'string' && raw.id !== '' ? raw.id : null,
    deviceId,
    entityId: typeof raw.entityKey === 'string' && raw.entityKey !== '' ? raw.entityKey : null,
    at,
    count: 'count' in counter ? counter.count : null,
    problem: 'count' in counter ? null : counter,
  };
}

/**
 * Collects reads from overlapping answers (an entity's /meter may or may not include its sites; several
 * installs may report one device) and keeps each once: by read id, and by device and timestamp.
 */
export class MeterReadSet {
  /** Distinct reads one set (a feed's chunk) may hold: past it adding throws, naming the bound. */
  static readonly DEFAULT_LIMIT = 500_000;
  private readonly ids = new Set<string>();
  private readonly limit: number;
  private readonly byDeviceTime = new Map<string, MeterReading>();
  /** reads received, duplicates included */
  received = 0;
  /** entries that were not meter reads */
  malformed = 0;

  constructor(limit = MeterReadSet.DEFAULT_LIMIT) {
    this.limit = limit;
  }

  add(raws: readonly unknown[]): void {
    for (const raw of raws) {
      this.received += 1;
      const read = normalizeMeterRead(raw);
      if (read === null) {
        this.malformed += 1;
        continue;
      }
      if (read.id !== null) {
        if (this.ids.has(read.id)) continue;
        this.ids.add(read.id);
      }
      this.keep(read);
    }
  }

  /** A reading already normalised (imported readings, stored by Canopy itself). */
  keep(read: MeterReading): void {
    const key = `${read.deviceId}\u0000${read.at}`;
    const seen = this.byDeviceTime.get(key);
    // The same device at the same instant is one reading; prefer one with a readable counter.
    if (seen === undefined && this.byDeviceTime.size >= this.limit) {
      throw new UpstreamError('upstream_error', `the feed's upstream sent more than ${this.limit.toLocaleString('en-US')} meter reads for one chunk of days (the bound on readings per chunk)`, null, 'readings');
    }
    if (seen === undefined || (seen.count === null && read.count !== null)) this.byDeviceTime.set(key, read);
  }

  reads(): MeterReading[] {
    return [...this.byDeviceTime.values()];
  }

  get size(): number {
    return this.byDeviceTime.size;
  }
}
