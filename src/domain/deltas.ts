// Daily page deltas of one device from its lifetime-counter readings: baselines, resets, gaps and implausible jumps.
import { formatDay } from './calendar.ts';

const DAY_MS = 86_400_000;

/** One readable lifetime-counter reading. */
export interface CounterReading {
  /** epoch milliseconds */
  at: number;
  count: number;
}

/** A device's counter at a point, and the pages counted for it up to there. */
export interface CounterCheckpoint {
  at: number;
  count: number;
  /** pages counted since Canopy first saw the device */
  life: number;
}

export type DeltaAnomalyKind = 'counter_reset' | 'implausible_jump';

export interface DeltaAnomaly {
  kind: DeltaAnomalyKind;
  /** the reading the anomaly is about */
  at: number;
  day: string;
  /** pages not deposited because of it (null when unknown, as after a reset) */
  pages: number | null;
  detail: string;
}

export interface DeltaLimits {
  /** A device printing more than this per elapsed day is a misread or a swapped counter, not pages. */
  maxPagesPerDay: number;
}

export const DEFAULT_DELTA_LIMITS: DeltaLimits = { maxPagesPerDay: 100_000 };

export interface DeviceDeltas {
  /** UTC day 'YYYY-MM-DD' → pages (only days with pages) */
  pagesByDay: Map<string, number>;
  anomalies: DeltaAnomaly[];
  /** The first reading ever, when this computation made the device's first baseline. */
  first: CounterCheckpoint | null;
  /** The last accepted reading (the base when nothing was accepted). */
  latest: CounterCheckpoint | null;
  /** The last accepted state strictly before `boundary` (a day start): where the next revision starts from. */
  checkpointBefore(boundary: number): CounterCheckpoint | null;
}

/** Maximum plausible pages between two readings: a day's worth per started elapsed day. */
function plausibleLimit(from: number, to: number, limits: DeltaLimits): number {
  return limits.maxPagesPerDay * Math.max(1, Math.ceil((to - from) / DAY_MS));
}

/** The last reading of each UTC day, chronological; equal timestamps keep the later-listed reading. */
export function dayLastReadings(readings: readonly CounterReading[]): CounterReading[] {
  const sorted = readings.map((r, i) => ({ r, i })).sort((a, b) => a.r.at - b.r.at || a.i - b.i);
  const out: CounterReading[] = [];
  for (const { r } of sorted) {
    const last = out[out.length - 1];
    if (last && Math.floor(last.at / DAY_MS) === Math.floor(r.at / DAY_MS)) out[out.length - 1] = r;
    else out.push(r);
  }
  return out;
}

/**
 * Deltas per UTC day after `base` (the last reading before these, or null for a device never seen):
 * the last reading of a day minus the previous accepted reading goes on that day, so a gap of several
 * days puts its pages on the day of the next reading. The first reading ever is a baseline. A lower
 * reading is a counter reset or replaced device: a new baseline, no pages, an anomaly. A rise larger
 * than `limits` allow is held back: ignored as a glitch when the next reading continues from before it,
 * taken as a new baseline when the next reading confirms it, and left pending while there is none.
 */
export function deviceDeltas(
  base: CounterCheckpoint | null,
  readings: readonly CounterReading[],
  limits: DeltaLimits = DEFAULT_DELTA_LIMITS,
): DeviceDeltas {
  const lasts = dayLastReadings(readings.filter((r) => base === null || r.at > base.at));
  const pagesByDay = new Map<string, number>();
  const anomalies: DeltaAnomaly[] = [];
  // Accepted states in time order, to answer checkpointBefore.
  const accepted: CounterCheckpoint[] = [];
  let prev = base;
  let first: CounterCheckpoint | null = null;

  const accept = (state: CounterCheckpoint) => {
    accepted.push(state);
    prev = state;
  };

  for (let i = 0; i < lasts.length; i++) {
    const r = lasts[i];
    const day = formatDay(new Date(r.at));
    if (prev === null) {
      first = { at: r.at, count: r.count, life: 0 };
      accept(first);
      continue;
    }
    const p: CounterCheckpoint = prev;
    if (r.count < p.count) {
      anomalies.push({
        kind: 'counter_reset', at: r.at, day, pages: null,
        detail: `counter fell from ${p.count} to ${r.count} (reset or replaced device): new baseline, no pages counted`,
      });
      accept({ at: r.at, count: r.count, life: p.life });
      continue;
    }
    const delta = r.count - p.count;
    if (delta > plausibleLimit(p.at, r.at, limits)) {
      const next = lasts[i + 1];
      if (next === undefined) {
        anomalies.push({
          kind: 'implausible_jump', at: r.at, day, pages: delta,
          detail: `counter jumped by ${delta} pages (from ${p.count} to ${r.count}): held back until the next reading`,
        });
        continue;
      }
      if (next.count >= p.count && next.count - p.count <= plausibleLimit(p.at, next.at, limits)) {
        anomalies.push({
          kind: 'implausible_jump', at: r.at, day, pages: 0,
          detail: `ignored a reading of ${r.count} (a jump of ${delta} pages): the next reading, ${next.count}, continues from ${p.count}`,
        });
        continue;
      }
      anomalies.push({
        kind: 'implausible_jump', at: r.at, day, pages: delta,
        detail: `counter jumped by ${delta} pages (from ${p.count} to ${r.count}) and later readings continue from there: not counted, new baseline`,
      });
      accept({ at: r.at, count: r.count, life: p.life });
      continue;
    }
    if (delta > 0) pagesByDay.set(day, (pagesByDay.get(day) ?? 0) + delta);
    accept({ at: r.at, count: r.count, life: p.life + delta });
  }

  return {
    pagesByDay,
    anomalies,
    first,
    latest: prev,
    checkpointBefore(boundary: number) {
      let found: CounterCheckpoint | null = base;
      for (const state of accepted) {
        if (state.at >= boundary) break;
        found = state;
      }
      return found;
    },
  };
}
