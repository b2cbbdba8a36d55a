// How much one feed may deposit on one day: a ceiling under the ledger's own bounds; the excess is held back, not deposited.
import { MAX_PAGES } from './paper.ts';

/**
 * Pages (and standard pages) one feed may deposit on one UTC day, all paper sizes together. A month of a
 * feed at the ceiling (31 x 30,000,000 = 930,000,000) stays within the ledger's bound on one deposit and one
 * transaction (1,000,000,000 pages, 120,000 trees), so a month close of one feed never settles more than
 * the API itself accepts in one entry. Real fleets are far below it: 20,000 devices at 1,500 pages a day.
 */
export const FEED_DAY_CEILING = 30_000_000;

export interface DayEntry {
  day: string;
  /** pages on one paper size */
  pages: number;
  /** standard pages of `pages` on that size */
  standardPages: (pages: number) => number;
}

export interface CeilingOutcome {
  /** pages kept for each entry, in the order given */
  kept: number[];
  /** per day over the ceiling: pages held back */
  held: Map<string, number>;
}

/**
 * Keeps each day's entries within the ceiling (pages and standard pages), in the order given; what is
 * over it is held back for that day. Entries of a day that are already under it are kept whole.
 */
export function applyFeedDayCeiling(entries: readonly DayEntry[], ceiling = FEED_DAY_CEILING): CeilingOutcome {
  const used = new Map<string, { pages: number; standard: number }>();
  const held = new Map<string, number>();
  const kept = entries.map((entry) => {
    const sofar = used.get(entry.day) ?? { pages: 0, standard: 0 };
    let keep = Math.max(0, Math.min(entry.pages, ceiling - sofar.pages));
    const roomStandard = ceiling - sofar.standard;
    if (keep > 0 && entry.standardPages(keep) > roomStandard) {
      // Standard pages grow with pages: start from the proportional share and step down to fit.
      keep = Math.floor((keep * Math.max(0, roomStandard)) / entry.standardPages(keep));
      while (keep > 0 && entry.standardPages(keep) > roomStandard) keep -= 1;
    }
    used.set(entry.day, { pages: sofar.pages + keep, standard: sofar.standard + (keep === 0 ? 0 : entry.standardPages(keep)) });
    if (keep < entry.pages) held.set(entry.day, (held.get(entry.day) ?? 0) + entry.pages - keep);
    return keep;
  });
  return { kept, held };
}

/** One deposit never holds more than the ledger's bound on a deposit (1,000,000,000 pages): what a carry adds past it is held back. */
export function withinDepositBound(pages: number): { pages: number; held: number } {
  return pages > MAX_PAGES ? { pages: MAX_PAGES, held: pages - MAX_PAGES } : { pages, held: 0 };
}
