// Pharos Cloud report API (bearer authorization key): print jobs give exact pages per UTC day and paper size.
import { addDays, eachDay, formatDay, parseDay } from '../../domain/calendar.ts';
import type { Connector, ConnectorOptions, DailyPaperPages, JobSource, ServerAccess } from '../types.ts';
import { UpstreamClient, UpstreamError, parseJson, type UpstreamResponse } from '../http/upstream-client.ts';
import { parseRows, rowsOf, type ParsedRows } from './print-jobs.ts';

type EndDay = 'inclusive' | 'exclusive';

const nextDay = (day: string) => formatDay(addDays(parseDay(day), 1));

export function pharosConnector(access: ServerAccess, options: ConnectorOptions): Connector {
  const http = new UpstreamClient(access.url, options);
  const headers = { authorization: `bearer ${access.password}` };
  // Learnt from answers (DESIGN: the end day may be inclusive or exclusive), kept on the server.
  let endDay: EndDay | undefined = access.traits.pharosEndDay === 'inclusive' || access.traits.pharosEndDay === 'exclusive'
    ? access.traits.pharosEndDay : undefined;

  const get = async (path: string): Promise<UpstreamResponse> => {
    const response = await http.request('GET', `/ReportApi/Reports${path}`, { headers });
    if (response.status === 401 || response.status === 403) {
      throw new UpstreamError('wrong_credentials', `Pharos refused the authorization key (${response.status})`, response.status);
    }
    if (response.status !== 200) throw new UpstreamError('upstream_error', `GET ${path} answered ${response.status}`, response.status);
    return response;
  };

  const printJobs = async (from: string, to: string): Promise<ParsedRows> => {
    const response = await get(`/PrintJobs/${from}/${to}`);
    const rows = rowsOf(parseJson<unknown>(response, `print jobs ${from}..${to}`));
    if (rows === null) throw new UpstreamError('upstream_error', `print jobs ${from}..${to}: not a list of rows`);
    return parseRows(rows);
  };

  /** Per-job rows carry their time: ask one day past the end (right under either end rule) and keep the days asked for. */
  let lastJobAt: number | null = null;
  const fromJobs = (parsed: ParsedRows, from: string, to: string, into: Map<string, DailyPaperPages>, devices: Set<string>) => {
    for (const job of parsed.jobs) {
      if (job.day < from || job.day > to) continue;
      lastJobAt = Math.max(lastJobAt ?? 0, job.at);
      const key = `${job.day}\u0000${job.paperSize ?? ''}`;
      const entry = into.get(key) ?? { day: job.day, paperSize: job.paperSize, pages: 0 };
      entry.pages += job.pages;
      into.set(key, entry);
      if (job.deviceId) devices.add(job.deviceId);
    }
  };

  /** Per-user summaries have no time: one request per day, its end chosen by the server's end rule. */
  const summaryDays = async (days: string[]): Promise<Map<string, number>> => {
    const pages = new Map<string, number>();
    const ask = async (day: string, rule: EndDay) => (await printJobs(day, rule === 'inclusive' ? day : nextDay(day))).summaryPages;
    if (endDay === undefined) {
      // [D, D] is empty under an exclusive end, whatever was printed; a non-empty one proves inclusive.
      for (const day of days) pages.set(day, await ask(day, 'inclusive'));
      if ([...pages.values()].some((p) => p > 0)) {
        endDay = 'inclusive';
        return pages;
      }
      const whole = (await printJobs(days[0], days[days.length - 1])).summaryPages;
      // Inclusive with empty single days makes [first, last] empty; non-empty proves exclusive. When it is
      // empty too, the last day is still open (exclusive would not have shown it), so the rule must be
      // decided, never guessed: [last, next] is the last day (exclusive) or the last and next days
      // (inclusive); empty, the last day printed nothing under either rule. Non-empty, [next, next]
      // tells them apart: pages there are only possible under an inclusive end (and then the last day is empty).
      if (whole === 0) {
        const last = days[days.length - 1];
        if ((await ask(last, 'exclusive')) === 0) return pages;
        if ((await ask(nextDay(last), 'inclusive')) > 0) {
          endDay = 'inclusive';
          return pages;
        }
      }
      endDay = 'exclusive';
    }
    for (const day of days) pages.set(day, await ask(day, endDay));
    return pages;
  };

  const source: JobSource = {
    kind: 'jobs',
    async dailyPages(fromDay, toDay) {
      const span = Math.max(1, options.requestRangeDays);
      const into = new Map<string, DailyPaperPages>();
      const devices = new Set<string>();
      let jobs = 0;
      lastJobAt = null;
      const days = eachDay(fromDay, toDay);
      for (let i = 0; i < days.length; i += span) {
        const chunk = days.slice(i, i + span);
        const from = chunk[0];
        const to = chunk[chunk.length - 1];
        const parsed = await printJobs(from, nextDay(to));
        jobs += parsed.jobs.length;
        fromJobs(parsed, from, to, into, devices);
        if (parsed.summaries > 0) {
          for (const [day, pages] of await summaryDays(chunk)) {
            if (pages > 0) into.set(`${day}\u0000`, { day, paperSize: null, pages });
            // A summary has no time: the day's noon stands for its activity.
            if (pages > 0) lastJobAt = Math.max(lastJobAt ?? 0, Date.parse(`${day}T12:00:00Z`));
          }
        }
      }
      return { pages: [...into.values()], jobs, devices: devices.size, lastJobAt };
    },
    learntTraits: () => (endDay ? { pharosEndDay: endDay } : {}),
  };

  return {
    type: 'pharos',
    source,
    stats: http.stats,
    async check() {
      await get('/Status');
    },
    async entities() {
      return [{ id: 'tenant', name: access.username?.trim() || 'Pharos Cloud tenant', kind: 'tenant' as const, parent_id: null }];
    },
    close: () => http.close(),
  };
}
