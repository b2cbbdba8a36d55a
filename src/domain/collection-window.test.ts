import { describe, expect, it } from 'vitest';
import { collectionChunks, nextWindowStart } from './collection-window.ts';

const d = (iso: string) => new Date(iso);
const iso = (x: Date) => x.toISOString();

describe('collection window', () => {
  it('collects a nightly window in one final chunk', () => {
    const chunks = collectionChunks(d('2025-04-12T00:00:00Z'), d('2025-04-15T02:00:00Z'));
    expect(chunks.map((c) => [iso(c.from), iso(c.to), c.final])).toEqual([
      ['2025-04-12T00:00:00.000Z', '2025-04-15T02:00:00.000Z', true],
    ]);
  });

  it('splits a 90-day backfill into settled weekly chunks and a final one up to now', () => {
    const chunks = collectionChunks(d('2025-01-15T00:00:00Z'), d('2025-04-15T02:00:00Z'));
    expect(chunks.length).toBe(13);
    expect(chunks.slice(0, -1).every((c) => !c.final && c.to.getTime() - c.from.getTime() === 7 * 86_400_000)).toBe(true);
    for (let i = 1; i < chunks.length; i++) expect(chunks[i].from).toEqual(chunks[i - 1].to);
    expect(chunks.at(-1)).toEqual({ from: d('2025-04-09T00:00:00Z'), to: d('2025-04-15T02:00:00Z'), final: true });
  });

  const base = { current: d('2025-04-10T00:00:00Z'), chunkEnd: d('2025-04-15T02:00:00Z'), final: true, now: d('2025-04-15T02:00:00Z'), firstOpenDay: d('2025-04-01T00:00:00Z') };

  it('re-reads the last three days on the next run', () => {
    expect(iso(nextWindowStart({ ...base, lastReadingAt: d('2025-04-15T01:00:00Z') }))).toBe('2025-04-12T00:00:00.000Z');
  });

  it('keeps re-reading from the last reading while a feed is silent, up to 31 days back, never backwards', () => {
    expect(iso(nextWindowStart({ ...base, current: d('2025-04-01T00:00:00Z'), lastReadingAt: d('2025-04-06T09:00:00Z') }))).toBe('2025-04-06T00:00:00.000Z');
    expect(iso(nextWindowStart({ ...base, lastReadingAt: d('2025-04-06T09:00:00Z') }))).toBe('2025-04-10T00:00:00.000Z');
    expect(iso(nextWindowStart({ ...base, current: d('2025-02-01T00:00:00Z'), firstOpenDay: d('2025-02-01T00:00:00Z'), lastReadingAt: d('2025-02-06T09:00:00Z') })))
      .toBe('2025-03-15T00:00:00.000Z');
  });

  it('never leaves the window inside a closed month', () => {
    expect(iso(nextWindowStart({ ...base, current: d('2025-03-30T00:00:00Z'), now: d('2025-04-02T05:00:00Z'), lastReadingAt: d('2025-04-02T01:00:00Z') })))
      .toBe('2025-04-01T00:00:00.000Z');
  });

  it('moves a settled chunk to its end', () => {
    expect(nextWindowStart({ ...base, current: d('2025-01-15T00:00:00Z'), chunkEnd: d('2025-01-22T00:00:00Z'), final: false, lastReadingAt: null, firstOpenDay: d('2025-01-01T00:00:00Z') }))
      .toEqual(d('2025-01-22T00:00:00Z'));
  });
});

describe('collection window in closed months', () => {
  it('moves a settled backfill chunk through a closed month day by day, and leaves it only after the final chunk', () => {
    const firstOpenDay = d('2025-02-01T00:00:00Z');
    const settledChunk = { current: d('2025-01-01T00:00:00Z'), chunkEnd: d('2025-01-08T00:00:00Z'), final: false, now: d('2025-02-10T02:00:00Z'), lastReadingAt: null, firstOpenDay };
    expect(nextWindowStart(settledChunk)).toEqual(d('2025-01-08T00:00:00Z'));
    expect(nextWindowStart({ ...settledChunk, current: d('2025-01-29T00:00:00Z'), chunkEnd: d('2025-02-10T02:00:00Z'), final: true, lastReadingAt: d('2025-01-30T00:00:00Z') }))
      .toEqual(firstOpenDay);
  });
});
