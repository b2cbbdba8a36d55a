// World model: determinism, device lifecycles, counters and the built-in anomalies.

import { describe, expect, it } from 'vitest';
import { DAY, dayOf } from './calendar.ts';
import { World } from './world.ts';

const NOW = '2025-04-15T10:00:00Z';
const world = () => new World({ seed: 7, start: '2025-01-01', now: NOW });

describe('world', () => {
  it('is the same for the same seed and different for another', () => {
    const a = world();
    const b = world();
    const c = new World({ seed: 8, start: '2025-01-01', now: NOW });
    const sig = (w: World) => [0, 1, 2].map((g) => w.fleet.customer(g).id + w.fleet.customer(g).name).join()
      + Array.from({ length: 18 }, (_, i) => `${w.fleet.device(i).serialNumber}:${w.readings.lifeCount(w.fleet.device(i), Date.parse(NOW))}`).join();
    expect(sig(a)).toBe(sig(b));
    expect(sig(a)).not.toBe(sig(c));
  });

  it('builds dealers, customers with sites and devices spread over them', () => {
    const w = world();
    const f = w.fleet;
    expect(f.dealerCount).toBe(2);
    expect(f.totalCustomers).toBe(5);
    const c0 = f.customer(0);
    expect(c0.siteCount).toBe(2);
    const ids = [...f.subtree(c0)].map((e) => e.id);
    expect(ids).toHaveLength(3);
    const devices = w.devicesUnder(c0, 'all');
    expect(devices).toHaveLength(6);
    for (const d of devices) expect(ids).toContain(d.entityId);
    for (const id of ids) expect(f.entity(id)?.id).toBe(id);
    expect(f.entity('000000000000000000000000')).toBeUndefined();
    expect(f.entity(f.customer(3).id)?.kind).toBe('customer');
    expect(f.dealerOfEntity(f.customer(3))).toBe(1);
  });

  it('prints more on weekdays than weekends and varies volume across devices', () => {
    const w = world();
    let weekday = 0;
    let weekend = 0;
    for (let i = 0; i < 18; i++) {
      const d = w.fleet.device(i);
      for (let day = w.fleet.startDay + 7; day < w.fleet.startDay + 63; day++) {
        const wd = new Date(day * DAY).getUTCDay();
        const v = w.printing.dailyVolume(d, day);
        if (wd === 0 || wd === 6) weekend += v;
        else weekday += v;
      }
    }
    expect(weekday / 40).toBeGreaterThan((weekend / 16) * 5);
    const volumes = Array.from({ length: 60 }, (_, i) => w.fleet.device(i).baseVolume);
    expect(Math.min(...volumes)).toBeLessThan(20);
    expect(Math.max(...volumes)).toBeGreaterThan(500);
  });

  it('keeps counters monotone except when a device is replaced, and then starts near zero', () => {
    const w = world();
    const now = Date.parse(NOW);
    for (let i = 0; i < 18; i++) {
      const d = w.fleet.device(i);
      const reads = w.readings.between(d, w.fleet.startMs, now, now);
      for (let k = 1; k < reads.length; k++) {
        const a = w.readings.lifeCount(d, reads[k - 1].t);
        const b = w.readings.lifeCount(d, reads[k].t);
        if (w.readings.replacedBetween(d, reads[k - 1].t, reads[k].t)) {
          expect(b).toBeLessThan(a);
          expect(b).toBeLessThan(d.newStartCount + 20 * d.baseVolume * 3.1);
        } else expect(b).toBeGreaterThanOrEqual(a);
      }
    }
    const replaced = w.fleet.device(1);
    expect(replaced.replacedAt).toBeDefined();
  });

  it('shows every anomaly in a demo world: unmanaged, late discovery, no life format, stale agent, stop, late and double reads', () => {
    const w = world();
    const f = w.fleet;
    const now = Date.parse(NOW);
    expect(f.device(2).managed).toBe(false);
    expect(f.device(3).firstReadDay).toBe(f.startDay + 10);
    expect(f.device(4).hasLifeFormat).toBe(false);
    // Customer 1's own agent is stale for days 15..21 after the start.
    const onCustomer1 = w.devicesUnder(f.customer(1), 'all').filter((d) => d.slot === 0);
    expect(onCustomer1.length).toBeGreaterThan(0);
    for (const d of onCustomer1) {
      expect(w.readings.between(d, (f.startDay + 15) * DAY, (f.startDay + 22) * DAY - 1, now)).toEqual([]);
      expect(w.readings.between(d, (f.startDay + 22) * DAY, (f.startDay + 24) * DAY, now).length).toBeGreaterThan(0);
    }
    // Customer 2 stops for good after 45 days.
    for (const d of w.devicesUnder(f.customer(2), 'all')) {
      expect(w.readings.between(d, (f.startDay + 45) * DAY, now, now)).toEqual([]);
    }
    let late = 0;
    let double = 0;
    for (let i = 0; i < 18; i++) {
      const d = f.device(i);
      for (let day = f.startDay; day <= dayOf(now); day++) {
        const rs = w.readings.onDay(d, day);
        if (rs.length === 2) double++;
        late += rs.filter((r) => r.visibleAt > r.t).length;
        for (const r of rs) expect(dayOf(r.t)).toBe(day);
      }
    }
    expect(late).toBeGreaterThan(5);
    expect(double).toBeGreaterThan(5);
  });

  it('delays late readings by lateDelayHours, the same readings late at any delay, each absent upstream until it arrives', () => {
    const delays = (w: World) => {
      const out: number[] = [];
      for (let i = 0; i < 18; i++) {
        for (let day = w.fleet.startDay; day <= dayOf(Date.parse(NOW)); day++) {
          for (const r of w.readings.onDay(w.fleet.device(i), day)) if (r.visibleAt > r.t) out.push((r.visibleAt - r.t) / 3_600_000);
        }
      }
      return out;
    };
    const usual = delays(new World({ seed: 7, start: '2025-01-01', now: NOW, rates: { lateReading: 0.2 } }));
    const days = delays(new World({ seed: 7, start: '2025-01-01', now: NOW, rates: { lateReading: 0.2 }, lateDelayHours: { min: 24, max: 120 } }));
    expect(usual.length).toBeGreaterThan(100);
    expect(days).toHaveLength(usual.length);
    for (const h of usual) expect(h >= 2 && h < 72).toBe(true);
    for (const h of days) expect(h >= 24 && h < 120).toBe(true);
    expect(days.filter((h) => h >= 72).length).toBeGreaterThan(10);
    expect(() => new World({ seed: 7, now: NOW, lateDelayHours: { min: 5, max: 5 } })).toThrow(/lateDelayHours/);

    // A reading 4 days late is not served until it arrives, then under its own day.
    const lateWorld = new World({ seed: 7, start: '2025-01-01', now: NOW, rates: { lateReading: 1 }, lateDelayHours: { min: 96, max: 97 } });
    const d = lateWorld.fleet.device(0);
    const day = dayOf(Date.parse('2025-04-01T00:00:00Z'));
    const [r] = lateWorld.readings.onDay(d, day);
    expect(lateWorld.readings.between(d, day * DAY, day * DAY + DAY - 1, r.t + 95 * 3_600_000)).toEqual([]);
    expect(lateWorld.readings.between(d, day * DAY, day * DAY + DAY - 1, r.t + 97 * 3_600_000)).toHaveLength(lateWorld.readings.onDay(d, day).length);
  });

  it('turns every anomaly off when its rate is zero', () => {
    const w = new World({
      seed: 7, start: '2025-01-01', now: NOW,
      rates: { unmanaged: 0, sites: 0, replaced: 0, staleAgent: 0, stoppedCustomer: 0, lateReading: 0, doubleRead: 0, missedRead: 0, lateDiscovery: 0, noLifeFormat: 0 },
    });
    const now = Date.parse(NOW);
    for (let i = 0; i < 30; i++) {
      const d = w.fleet.device(i);
      expect(d.managed && d.hasLifeFormat && d.replacedAt === undefined && d.firstReadDay === w.fleet.startDay && d.slot === 0).toBe(true);
      const reads = w.readings.between(d, w.fleet.startMs, now, now);
      expect(reads.length).toBe(dayOf(now) - w.fleet.startDay + (reads.at(-1)!.day === dayOf(now) ? 1 : 0));
    }
  });

  it('serves nothing after now and grows when the clock moves', () => {
    const w = world();
    const d = w.fleet.device(0);
    const before = w.readings.latestAtOrBefore(d, Date.parse('2030-01-01'), w.now());
    expect(before!.t).toBeLessThanOrEqual(w.now());
    w.setNow(Date.parse(NOW) + 3 * DAY);
    const after = w.readings.latestAtOrBefore(d, Date.parse('2030-01-01'), w.now());
    expect(after!.t).toBeGreaterThan(before!.t);
  });
});
