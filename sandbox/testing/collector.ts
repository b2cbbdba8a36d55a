// A reference collector over served Print Tracker meter reads (DESIGN.md's rules), used by tests as an oracle.

export interface CounterValue {
  displayName: string;
  value: string;
}

export interface MeterRead {
  id: string;
  entityKey: string;
  installKey: string;
  deviceKey: string;
  timestamp: string;
  pageCounts: Record<string, Record<string, CounterValue>>;
  supplies: Record<string, unknown>;
}

/** The lifetime counter of a read: `life.total`, else `default.total`. */
export function lifetimeCount(read: MeterRead): number {
  const v = read.pageCounts.life?.total?.value ?? read.pageCounts.default?.total?.value;
  if (v === undefined || !/^\d+$/.test(v)) throw new Error(`read ${read.id}: no decimal total counter`);
  return Number(v);
}

/**
 * Daily deposits (UTC `YYYY-MM-DD` -> pages) from every read of some devices: per device, the last read of a
 * day minus the previous day's last read; the first read is a baseline; a lower read is a new baseline.
 */
export function dailyDeposits(reads: readonly MeterRead[]): Map<string, number> {
  const byDevice = new Map<string, MeterRead[]>();
  for (const r of reads) {
    const list = byDevice.get(r.deviceKey) ?? [];
    list.push(r);
    byDevice.set(r.deviceKey, list);
  }
  const out = new Map<string, number>();
  for (const list of byDevice.values()) {
    list.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    const lastOfDay = new Map<string, number>();
    for (const r of list) lastOfDay.set(r.timestamp.slice(0, 10), lifetimeCount(r));
    let prev: number | undefined;
    for (const [day, count] of lastOfDay) {
      if (prev !== undefined && count >= prev) out.set(day, (out.get(day) ?? 0) + count - prev);
      prev = count;
    }
  }
  return out;
}
