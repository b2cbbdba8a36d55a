// Pharos print-job report rows → pages per UTC day and paper size; per-job rows or per-user summaries.
//
// The sources publish no row shapes. Canopy reads (case-insensitively, ignoring unknown fields):
//   per job:     {JobId, PrintedAt: ISO time, Pages: integer, PaperSize?: "Letter" | "A4" | ..., DeviceId?, ...}
//   per summary: {UserName, Pages: integer, Jobs?, Sheets?, ...} — no time: one request per day is needed
// `Pages` is what is deposited (pages printed, as counters count them); Sheets and Duplex are not used.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field by name, whatever its case. */
export function field(row: Json, name: string): unknown {
  if (name in row) return row[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(row)) if (key.toLowerCase() === lower) return row[key];
  return undefined;
}

function pagesOf(row: Json): number | null {
  const value = field(row, 'Pages');
  const n = typeof value === 'string' && /^\d{1,12}$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export interface JobRow {
  at: number;
  day: string;
  paperSize: string | null;
  pages: number;
  deviceId: string | null;
}

export interface ParsedRows {
  /** per-job rows with a time */
  jobs: JobRow[];
  /** pages of rows without a time (per-user summaries) */
  summaryPages: number;
  summaries: number;
  /** rows with no readable page count */
  unreadable: number;
}

/** An answer that should be a list of rows: an array, or an object wrapping one. */
export function rowsOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (isObject(body)) for (const key of Object.keys(body)) if (Array.isArray(body[key])) return body[key] as unknown[];
  return null;
}

export function parseRows(rows: readonly unknown[]): ParsedRows {
  const out: ParsedRows = { jobs: [], summaryPages: 0, summaries: 0, unreadable: 0 };
  for (const row of rows) {
    if (!isObject(row)) continue;
    const pages = pagesOf(row);
    if (pages === null) {
      out.unreadable += 1;
      continue;
    }
    const printedAt = field(row, 'PrintedAt');
    const at = typeof printedAt === 'string' ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(printedAt) ? printedAt : `${printedAt}Z`) : NaN;
    if (Number.isNaN(at)) {
      out.summaries += 1;
      out.summaryPages += pages;
      continue;
    }
    const size = field(row, 'PaperSize');
    const device = field(row, 'DeviceId');
    out.jobs.push({
      at,
      day: new Date(at).toISOString().slice(0, 10),
      paperSize: typeof size === 'string' && size.trim() !== '' ? size.trim() : null,
      pages,
      deviceId: typeof device === 'string' ? device : null,
    });
  }
  return out;
}
