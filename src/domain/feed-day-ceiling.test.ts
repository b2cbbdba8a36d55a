// The per-feed per-day ceiling: whatever devices add up to, a feed's day stays within the ledger's bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEED_DAY_CEILING, applyFeedDayCeiling, withinDepositBound } from './feed-day-ceiling.ts';
import { MAX_PAGES, standardPagesOf } from './paper.ts';
import { decimal } from './decimal.ts';

const letter = (pages: number) => pages;
const a3 = (pages: number) => standardPagesOf({ quantity: pages, width: decimal('0.297'), length: decimal('0.42'), density: 75 });

describe('feed day ceiling', () => {
  it('keeps 20,000 devices each rising just under the per-device ceiling to the feed ceiling, holding back the rest', () => {
    const pages = 20_000 * 99_999; // 1,999,980,000: what the issue saw deposited in one day
    const out = applyFeedDayCeiling([{ day: '2025-03-03', pages, standardPages: letter }]);
    expect(out.kept).toEqual([FEED_DAY_CEILING]);
    expect(out.held.get('2025-03-03')).toBe(pages - FEED_DAY_CEILING);
  });

  it('leaves a day under the ceiling whole, and judges each day on its own', () => {
    const out = applyFeedDayCeiling([
      { day: '2025-03-03', pages: 1_000, standardPages: letter },
      { day: '2025-03-04', pages: FEED_DAY_CEILING, standardPages: letter },
      { day: '2025-03-04', pages: 5, standardPages: letter },
    ]);
    expect(out.kept).toEqual([1_000, FEED_DAY_CEILING, 0]);
    expect([...out.held]).toEqual([['2025-03-04', 5]]);
  });

  it('bounds standard pages too, for paper larger than Letter', () => {
    const out = applyFeedDayCeiling([{ day: '2025-03-03', pages: FEED_DAY_CEILING, standardPages: a3 }]);
    expect(a3(out.kept[0])).toBeLessThanOrEqual(FEED_DAY_CEILING);
    expect(a3(out.kept[0] + 1)).toBeGreaterThan(FEED_DAY_CEILING);
    expect(out.held.get('2025-03-03')).toBe(FEED_DAY_CEILING - out.kept[0]);
  });

  it('never keeps more than the ceiling nor loses a page: kept plus held is what came in', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ day: fc.constantFrom('2025-03-01', '2025-03-02'), pages: fc.integer({ min: 0, max: 2_000_000_000 }), big: fc.boolean() }), { maxLength: 8 }),
      (list) => {
        const entries = list.map((e) => ({ day: e.day, pages: e.pages, standardPages: e.big ? a3 : letter }));
        const out = applyFeedDayCeiling(entries);
        for (const day of ['2025-03-01', '2025-03-02']) {
          const idx = entries.map((e, i) => [e, i] as const).filter(([e]) => e.day === day);
          const kept = idx.reduce((s, [, i]) => s + out.kept[i], 0);
          const std = idx.reduce((s, [e, i]) => s + (out.kept[i] === 0 ? 0 : e.standardPages(out.kept[i])), 0);
          const came = idx.reduce((s, [e]) => s + e.pages, 0);
          expect(kept).toBeLessThanOrEqual(FEED_DAY_CEILING);
          expect(std).toBeLessThanOrEqual(FEED_DAY_CEILING);
          expect(kept + (out.held.get(day) ?? 0)).toBe(came);
        }
      },
    ));
  });

  it('makes a month of one feed fit the ledger bound of one deposit and one transaction', () => {
    expect(31 * FEED_DAY_CEILING).toBeLessThanOrEqual(MAX_PAGES);
  });

  it('holds back what a carry would add past the bound of one deposit', () => {
    expect(withinDepositBound(MAX_PAGES + 7)).toEqual({ pages: MAX_PAGES, held: 7 });
    expect(withinDepositBound(12)).toEqual({ pages: 12, held: 0 });
  });
});
