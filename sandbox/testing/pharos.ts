// A reference Pharos collector: exact pages per UTC day from PrintJobs, whether the end day is inclusive or not and whether rows are jobs or per-user summaries.

const DAY = 86_400_000;

export interface PharosDaily {
  /** UTC day `YYYY-MM-DD` -> pages (every day of the window, zeros included). */
  pages: Map<string, number>;
  /** What the answers showed: job rows or per-user summaries (`none` if every answer was empty). */
  rows: 'jobs' | 'users' | 'none';
  /** How the `to` day was read, when it mattered (summaries) and could be told. */
  end: 'inclusive' | 'exclusive' | 'unknown';
  requests: number;
}

interface Row {
  PrintedAt?: unknown;
  Pages?: unknown;
}

const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

const pagesOf = (row: Row): number => {
  if (typeof row.Pages !== 'number' || !Number.isInteger(row.Pages) || row.Pages < 0) throw new Error(`Pages is ${JSON.stringify(row.Pages)}`);
  return row.Pages;
};

/**
 * Asks `PrintJobs/D/D` and `PrintJobs/D/D+1` for every day D of [start, end]. Job rows are bucketed by their
 * own `PrintedAt` day, so the end-day reading does not matter. Summaries carry no time: `D/D` is empty under
 * an exclusive end, so any non-empty `D/D` (or the day after the window) means inclusive; the day's pages are
 * then `D/D` (inclusive) or `D/D+1` (exclusive).
 */
export async function pharosDailyPages(url: string, key: string, start: string, end: string): Promise<PharosDaily> {
  let requests = 0;
  const jobs = async (from: number, to: number): Promise<Row[]> => {
    requests++;
    const res = await fetch(`${url}/ReportApi/Reports/PrintJobs/${isoDay(from)}/${isoDay(to)}`, { headers: { authorization: `Bearer ${key}` } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`PrintJobs ${isoDay(from)}/${isoDay(to)}: ${res.status}`);
    const body = JSON.parse(text) as unknown;
    if (!Array.isArray(body)) throw new Error('PrintJobs: not an array');
    return body as Row[];
  };
  const first = Date.parse(`${start}T00:00:00Z`) / DAY;
  const last = Date.parse(`${end}T00:00:00Z`) / DAY;
  const same = new Map<number, Row[]>();
  const next = new Map<number, Row[]>();
  for (let d = first; d <= last; d++) {
    same.set(d, await jobs(d, d));
    next.set(d, await jobs(d, d + 1));
  }
  const all = [...same.values(), ...next.values()].flat();
  const pages = new Map<string, number>();
  for (let d = first; d <= last; d++) pages.set(isoDay(d), 0);
  if (all.length === 0) return { pages, rows: 'none', end: 'unknown', requests };

  if (all.some((r) => r.PrintedAt !== undefined)) {
    for (let d = first; d <= last; d++) {
      for (const r of next.get(d)!) {
        const at = typeof r.PrintedAt === 'string' ? Date.parse(r.PrintedAt) : NaN;
        if (!Number.isFinite(at)) throw new Error(`PrintedAt is ${JSON.stringify(r.PrintedAt)}`);
        if (Math.floor(at / DAY) === d) pages.set(isoDay(d), pages.get(isoDay(d))! + pagesOf(r));
      }
    }
    return { pages, rows: 'jobs', end: 'unknown', requests };
  }

  const inclusive = [...same.values()].some((rows) => rows.length > 0) || (await jobs(last + 1, last + 1)).length > 0;
  for (let d = first; d <= last; d++) {
    const rows = inclusive ? same.get(d)! : next.get(d)!;
    pages.set(isoDay(d), rows.reduce((a, r) => a + pagesOf(r), 0));
  }
  return { pages, rows: 'users', end: inclusive ? 'inclusive' : 'exclusive', requests };
}
