import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dayLastReadings, deviceDeltas, type CounterReading } from './deltas.ts';

const at = (iso: string) => Date.parse(iso);
const r = (iso: string, count: number): CounterReading => ({ at: at(iso), count });
const days = (m: Map<string, number>) => Object.fromEntries([...m].sort());

describe('daily deltas of one device', () => {
  it('makes the first reading ever a baseline and puts each later day-last difference on its day', () => {
    const d = deviceDeltas(null, [r('2025-03-03T09:00:00Z', 1000), r('2025-03-04T09:00:00Z', 1250), r('2025-03-05T09:00:00Z', 1300)]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-04': 250, '2025-03-05': 50 });
    expect(d.first).toEqual({ at: at('2025-03-03T09:00:00Z'), count: 1000, life: 0 });
    expect(d.latest).toEqual({ at: at('2025-03-05T09:00:00Z'), count: 1300, life: 300 });
  });

  it('counts from a stored base, so the first reading after it already has pages', () => {
    const base = { at: at('2025-03-02T09:00:00Z'), count: 900, life: 40 };
    const d = deviceDeltas(base, [r('2025-03-03T09:00:00Z', 1000)]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-03': 100 });
    expect(d.latest?.life).toBe(140);
    expect(d.first).toBeNull();
  });

  it('uses only the last reading of a day (two reads on one day count once)', () => {
    const d = deviceDeltas({ at: at('2025-03-02T09:00:00Z'), count: 100, life: 0 }, [
      r('2025-03-03T15:00:00Z', 180), r('2025-03-03T08:00:00Z', 120),
    ]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-03': 80 });
  });

  it('puts the pages of a gap of several days on the day of the next reading', () => {
    const d = deviceDeltas({ at: at('2025-03-01T09:00:00Z'), count: 100, life: 0 }, [r('2025-03-07T09:00:00Z', 700)]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-07': 600 });
  });

  it('treats a lower reading as a counter reset: new baseline, no negative pages, an anomaly', () => {
    const d = deviceDeltas({ at: at('2025-03-01T09:00:00Z'), count: 50_000, life: 10 }, [
      r('2025-03-02T09:00:00Z', 50_100), r('2025-03-03T09:00:00Z', 12), r('2025-03-04T09:00:00Z', 40),
    ]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-02': 100, '2025-03-04': 28 });
    expect(d.anomalies).toEqual([expect.objectContaining({ kind: 'counter_reset', day: '2025-03-03', pages: null })]);
    expect(d.latest).toEqual({ at: at('2025-03-04T09:00:00Z'), count: 40, life: 138 });
  });

  it('ignores a misread spike when the next reading continues from before it', () => {
    const d = deviceDeltas({ at: at('2025-03-01T09:00:00Z'), count: 5000, life: 0 }, [
      r('2025-03-02T09:00:00Z', 4_294_967_295), r('2025-03-03T09:00:00Z', 5300),
    ]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-03': 300 });
    expect(d.anomalies).toEqual([expect.objectContaining({ kind: 'implausible_jump', day: '2025-03-02', pages: 0 })]);
  });

  it('holds back a confirmed jump: not deposited, reported with its pages, new baseline after it', () => {
    const d = deviceDeltas({ at: at('2025-03-01T09:00:00Z'), count: 5000, life: 0 }, [
      r('2025-03-02T09:00:00Z', 9_000_000), r('2025-03-03T09:00:00Z', 9_000_400),
    ]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-03': 400 });
    expect(d.anomalies).toEqual([expect.objectContaining({ kind: 'implausible_jump', pages: 8_995_000 })]);
  });

  it('leaves a jump with no later reading pending: nothing deposited and the base stays before it', () => {
    const base = { at: at('2025-03-01T09:00:00Z'), count: 5000, life: 0 };
    const d = deviceDeltas(base, [r('2025-03-02T09:00:00Z', 9_000_000)]);
    expect(d.pagesByDay.size).toBe(0);
    expect(d.latest).toEqual(base);
    expect(d.checkpointBefore(at('2025-03-03T00:00:00Z'))).toEqual(base);
  });

  it('allows more pages across a longer gap before calling a rise implausible', () => {
    const base = { at: at('2025-03-01T09:00:00Z'), count: 0, life: 0 };
    const limits = { maxPagesPerDay: 1000 };
    expect(deviceDeltas(base, [r('2025-03-02T09:00:00Z', 1500)], limits).pagesByDay.size).toBe(0);
    expect(days(deviceDeltas(base, [r('2025-03-03T09:00:00Z', 1500)], limits).pagesByDay)).toEqual({ '2025-03-03': 1500 });
  });

  it('checkpoints the last accepted reading before a day boundary', () => {
    const d = deviceDeltas(null, [r('2025-03-03T09:00:00Z', 10), r('2025-03-04T23:59:59Z', 30), r('2025-03-05T00:00:00Z', 35)]);
    expect(d.checkpointBefore(at('2025-03-05T00:00:00Z'))).toEqual({ at: at('2025-03-04T23:59:59Z'), count: 30, life: 20 });
    expect(d.checkpointBefore(at('2025-03-03T00:00:00Z'))).toBeNull();
  });

  it('ignores readings at or before the base (a prior reading fetched twice)', () => {
    const base = { at: at('2025-03-02T09:00:00Z'), count: 100, life: 0 };
    const d = deviceDeltas(base, [r('2025-03-02T09:00:00Z', 100), r('2025-03-03T09:00:00Z', 150)]);
    expect(days(d.pagesByDay)).toEqual({ '2025-03-03': 50 });
  });

  it('keeps the last-listed of two readings with the same timestamp', () => {
    expect(dayLastReadings([r('2025-03-03T09:00:00Z', 5), r('2025-03-03T09:00:00Z', 6)])).toEqual([r('2025-03-03T09:00:00Z', 6)]);
  });

  it('counts every page between two readings exactly once, however the readings are split, ordered or duplicated', () => {
    const reading = fc.record({ minute: fc.integer({ min: 0, max: 60 * 24 * 40 }), add: fc.integer({ min: 0, max: 3000 }) });
    fc.assert(
      fc.property(fc.uniqueArray(reading, { minLength: 1, maxLength: 60, selector: (x) => x.minute }), fc.integer({ min: 1, max: 59 }), (raw, splitAt) => {
        // A monotonic counter sampled at random minutes; split the readings into two runs at a day boundary.
        const sorted = [...raw].sort((a, b) => a.minute - b.minute);
        let count = 20_000;
        const readings = sorted.map((x) => ({ at: Date.UTC(2025, 0, 1) + x.minute * 60_000, count: (count += x.add) }));
        const whole = deviceDeltas(null, [...readings].reverse());
        const total = [...whole.pagesByDay.values()].reduce((a, b) => a + b, 0);
        const firstDayLast = dayLastReadings(readings)[0];
        expect(total).toBe(readings[readings.length - 1].count - firstDayLast.count);

        const boundary = Date.UTC(2025, 0, 1 + Math.min(splitAt, 40));
        const before = deviceDeltas(null, readings.filter((x) => x.at < boundary));
        const after = deviceDeltas(before.checkpointBefore(boundary), [...readings, ...readings].filter((x) => x.at >= boundary));
        const merged = new Map(before.pagesByDay);
        for (const [day, pages] of after.pagesByDay) merged.set(day, (merged.get(day) ?? 0) + pages);
        expect(days(merged)).toEqual(days(whole.pagesByDay));
      }),
    );
  });
});
