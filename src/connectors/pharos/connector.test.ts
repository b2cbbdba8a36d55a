// Pharos per-user summaries: a chunk whose single days all answer empty still decides the end-day rule,
// so its last day is counted (exclusive end) or proven empty (inclusive end), never counted 0 by default.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, eachDay, formatDay, parseDay } from '../../domain/calendar.ts';
import type { JobSource } from '../types.ts';
import { pharosConnector } from './connector.ts';

type Rule = 'inclusive' | 'exclusive';

/** A hand-written Pharos tenant: per-user summaries (no time) over the days asked, under one end rule. */
function summaryServer() {
  let rule: Rule = 'exclusive';
  let printed = new Map<string, number>();
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const m = /^\/ReportApi\/Reports\/PrintJobs\/(\d{4}-\d\d-\d\d)\/(\d{4}-\d\d-\d\d)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    asked.push(`${m[1]}/${m[2]}`);
    const last = rule === 'inclusive' ? m[2] : formatDay(addDays(parseDay(m[2]), -1));
    const pages = m[1] > last ? 0 : eachDay(m[1], last).reduce((n, day) => n + (printed.get(day) ?? 0), 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(pages > 0 ? [{ UserName: 'ada', Pages: pages }] : []));
  });
  return {
    server, asked,
    set(next: Rule, days: Record<string, number>) {
      rule = next;
      printed = new Map(Object.entries(days));
      asked.length = 0;
    },
  };
}

describe('Pharos end-day rule with per-user summaries', () => {
  const upstream = summaryServer();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => upstream.server.close(() => resolve())));

  const source = () => {
    const connector = pharosConnector(
      { id: 's', type: 'pharos', url, username: 't', password: 'key', partnerId: null, authUrl: null, traits: {} },
      { concurrency: 2, timeoutMs: 2000, attempts: 1, retryBaseMs: 1, allowPrivate: true, requestRangeDays: 7, now: () => Date.parse('2025-04-15T02:00:00Z') },
    );
    return connector.source as JobSource;
  };
  const byDay = (pages: Array<{ day: string; pages: number }>) => Object.fromEntries(pages.map((p) => [p.day, p.pages]));

  it('counts the last day of a chunk whose only pages are on that day (exclusive end)', async () => {
    upstream.set('exclusive', { '2025-03-07': 41 });
    const jobs = source();
    const result = await jobs.dailyPages('2025-03-01', '2025-03-07');
    expect(byDay(result.pages)).toEqual({ '2025-03-07': 41 });
    expect(jobs.learntTraits()).toEqual({ pharosEndDay: 'exclusive' });
  });

  it('proves the last day empty when the pages are on the next day (inclusive end)', async () => {
    upstream.set('inclusive', { '2025-03-08': 17 });
    const jobs = source();
    const result = await jobs.dailyPages('2025-03-01', '2025-03-07');
    expect(byDay(result.pages)).toEqual({});
    expect(jobs.learntTraits()).toEqual({ pharosEndDay: 'inclusive' });
    // The next chunk, with the rule known, counts that day.
    expect(byDay((await jobs.dailyPages('2025-03-08', '2025-03-14')).pages)).toEqual({ '2025-03-08': 17 });
  });

  it('leaves the rule undecided only when no day of the chunk could have pages under either rule', async () => {
    upstream.set('exclusive', { '2025-03-09': 5 });
    const jobs = source();
    // The chunk's own request reaches one day past it: nothing there either, so no summary asks at all.
    expect(byDay((await jobs.dailyPages('2025-03-01', '2025-03-07')).pages)).toEqual({});
    expect(jobs.learntTraits()).toEqual({});
    expect(byDay((await jobs.dailyPages('2025-03-08', '2025-03-14')).pages)).toEqual({ '2025-03-09': 5 });
  });
});
