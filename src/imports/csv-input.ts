// CSV files of meter readings or usage: encoding, delimiter, header, date format and column guesses, and a
// streaming reader (csv-parse) that turns a file into numbered rows through a mapping.
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { InvalidInput } from '../domain/errors.ts';
import {
  dateParts, FIELDS_OF, isKnownZone, kindOfFields, readRow, RowRefused, REQUIRED_OF,
  type DateFormat, type ImportField, type ImportKind, type RowProblem, type ThousandsSeparator,
} from './reading-rows.ts';
import type { SourceRow } from './import-feed.ts';

export type Encoding = 'utf-8' | 'windows-1252';
export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];
export const DATE_FORMATS: readonly DateFormat[] = ['iso', 'ymd', 'mdy', 'dmy'];

/** How a file's columns become import fields; saved per feed so next month's export is one click. */
export interface FileMapping {
  kind: ImportKind;
  /** field → the header it is read from */
  columns: Partial<Record<ImportField, string>>;
  delimiter: Delimiter;
  /** 1-based line of the header row (title lines above it are skipped) */
  header_line: number;
  encoding: Encoding;
  date_format: DateFormat;
  /** IANA zone for times written without an offset */
  zone: string;
  thousands_separator: ThousandsSeparator;
}

/** UTF-8 (with or without BOM) when the bytes are valid UTF-8, else Windows-1252 (what spreadsheet exports on Windows write). */
export function detectEncoding(sample: Uint8Array): { encoding: Encoding; bom: boolean } {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  // A sample may end inside a multi-byte character: leave its last 3 bytes out of the check.
  const body = sample.length > 4 ? sample.subarray(0, sample.length - 3) : sample;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return { encoding: 'utf-8', bom: false };
  } catch {
    return { encoding: 'windows-1252', bom: false };
  }
}

/** Text of the bytes in the encoding (a UTF-8 BOM dropped). */
export function decode(bytes: Uint8Array, encoding: Encoding): string {
  return new TextDecoder(encoding).decode(bytes);
}

const normalise = (header: string) => header.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]/g, '');

/** Header names dealers' tools use for each field, most specific first. */
const SYNONYMS: Record<ImportField, string[]> = {
  device_id: ['deviceid', 'devicekey', 'device', 'serialnumber', 'serialno', 'serial', 'assetid', 'assetnumber', 'asset', 'printerid', 'printer', 'equipmentid', 'machineid', 'seriennummer', 'gerat', 'id'],
  timestamp: ['timestamp', 'readat', 'readingtime', 'readtime', 'readdate', 'readingdate', 'scantime', 'scandate', 'meterdate', 'datetime', 'lastread', 'collectedat', 'time', 'date', 'ablesedatum', 'zeitpunkt', 'datum'],
  lifetime_total: ['lifetimetotal', 'lifetimecount', 'lifetimepages', 'lifetime', 'lifetotal', 'lifecount', 'totalmeter', 'metertotal', 'totalcounter', 'totalcount', 'enginecount', 'meter', 'counter', 'total', 'gesamt', 'zahlerstand'],
  black_total: ['blacktotal', 'monototal', 'black', 'mono', 'bw'],
  color_total: ['colortotal', 'colourtotal', 'color', 'colour'],
  managed: ['managed', 'ismanaged'],
  paper_size: ['papersize', 'mediasize', 'size', 'paper'],
  date: ['date', 'day', 'usagedate', 'printdate', 'datum'],
  month: ['month', 'billingmonth', 'period', 'yearmonth'],
  pages: ['pages', 'pagecount', 'totalpages', 'printedpages', 'usage', 'volume', 'prints', 'seiten'],
};

/** The field each header most likely holds, for one kind of import. */
export function guessColumns(headers: string[], kind: ImportKind): Partial<Record<ImportField, string>> {
  const columns: Partial<Record<ImportField, string>> = {};
  const taken = new Set<string>();
  for (const field of FIELDS_OF[kind]) {
    for (const synonym of SYNONYMS[field]) {
      const header = headers.find((h) => !taken.has(h) && normalise(h) === synonym)
        ?? headers.find((h) => !taken.has(h) && synonym.length > 3 && normalise(h).includes(synonym));
      if (header !== undefined) {
        columns[field] = header;
        taken.add(header);
        break;
      }
    }
  }
  return columns;
}

function guessKind(headers: string[], rows: string[][]): ImportKind {
  const names = headers.map(normalise);
  if (SYNONYMS.lifetime_total.some((s) => names.includes(s) || names.some((n) => s.length > 4 && n.includes(s)))) return 'counters';
  const monthColumn = headers.findIndex((h) => SYNONYMS.month.includes(normalise(h)));
  if (monthColumn >= 0) return 'usage_monthly';
  // A date column holding months only (2025-01, 01/2025) is a monthly export.
  const dateColumn = headers.findIndex((h) => SYNONYMS.date.includes(normalise(h)));
  if (dateColumn >= 0 && rows.length > 0 && rows.every((r) => /^\s*(\d{4}[-/.]\d{1,2}|\d{1,2}[-/.]\d{4})\s*$/.test(r[dateColumn] ?? ''))) return 'usage_monthly';
  return names.some((n) => SYNONYMS.pages.includes(n)) ? 'usage_daily' : 'counters';
}

/** Day-first or month-first from the values themselves; year-first is unambiguous. */
export function guessDateFormat(values: string[]): { format: DateFormat; ambiguous: boolean } {
  const present = values.map((v) => v.trim()).filter((v) => v !== '');
  if (present.length > 0 && present.every((v) => /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/.test(v))) return { format: 'iso', ambiguous: false };
  let dayFirst = false;
  let monthFirst = false;
  let dots = false;
  for (const v of present) {
    const m = /^(\d{1,2})([-/.])(\d{1,2})[-/.]\d{4}/.exec(v);
    if (!m) continue;
    if (Number(m[1]) > 12) dayFirst = true;
    if (Number(m[3]) > 12) monthFirst = true;
    if (m[2] === '.') dots = true;
  }
  if (dayFirst !== monthFirst) return { format: dayFirst ? 'dmy' : 'mdy', ambiguous: false };
  return { format: dots ? 'dmy' : 'mdy', ambiguous: true };
}

function guessThousands(values: string[], delimiter: Delimiter): ThousandsSeparator {
  for (const sep of [',', '.', ' ', "'"] as const) {
    if (sep === delimiter) continue;
    const escaped = sep === '.' ? '\\.' : sep;
    if (values.some((v) => new RegExp(`^\\d{1,3}(${escaped}\\d{3})+$`).test(v.trim()))) return sep;
  }
  return null;
}

function parseSample(text: string, delimiter: string, toLine?: number): string[][] {
  try {
    return parseSync(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, to_line: toLine }) as string[][];
  } catch {
    return [];
  }
}

/** The delimiter that splits the sample into the most consistent number of columns. */
export function guessDelimiter(text: string): Delimiter {
  let best: { d: Delimiter; score: number } = { d: ',', score: -1 };
  for (const d of DELIMITERS) {
    const rows = parseSample(text, d, 50);
    const counts = new Map<number, number>();
    for (const r of rows) if (r.length > 1) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
    const [width, n] = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [0, 0];
    const score = n * 1000 + width;
    if (score > best.score) best = { d, score };
  }
  return best.d;
}

/** 1-based line of the header: the first row as wide as the data whose cells are names, not numbers. */
function guessHeaderLine(rows: string[][]): number {
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  const width = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  for (let i = 0; i < Math.min(rows.length, 20); i++) {
    const named = rows[i].filter((c) => c.trim() !== '' && !/^[\d\s.,:/+\-TZ]+$/.test(c.trim())).length;
    if (rows[i].length === width && named >= Math.min(2, width)) return i + 1;
  }
  return 1;
}

export interface PreviewRow {
  row: number;
  /** values as read through the mapping, by field */
  values: Partial<Record<ImportField, string>>;
  problem: RowProblem | null;
}

export interface FileGuess {
  mapping: FileMapping;
  headers: string[];
  /** what the guess is unsure about, for the dealer to check */
  notes: string[];
  preview: PreviewRow[];
}

/** Rows of the sample after the header, as fields through the mapping. */
function sampleRows(text: string, mapping: FileMapping): { headers: string[]; rows: string[][] } {
  const all = parseSample(text, mapping.delimiter);
  // Lines and rows differ only when quoted cells hold line breaks; a sample's title lines never do.
  const headers = (all[mapping.header_line - 1] ?? []).map((h) => h.trim());
  return { headers, rows: all.slice(mapping.header_line) };
}

function valuesOf(record: string[], index: Partial<Record<ImportField, number>>): Partial<Record<ImportField, string>> {
  const values: Partial<Record<ImportField, string>> = {};
  for (const [field, i] of Object.entries(index) as [ImportField, number][]) values[field] = record[i] ?? '';
  return values;
}

/** Column positions of the mapped fields; a mapped header the file lacks is refused by name. */
export function columnIndex(headers: string[], mapping: Pick<FileMapping, 'columns' | 'kind'>): Partial<Record<ImportField, number>> {
  const index: Partial<Record<ImportField, number>> = {};
  for (const [field, header] of Object.entries(mapping.columns) as [ImportField, string][]) {
    if (!FIELDS_OF[mapping.kind].includes(field)) throw new InvalidInput(`mapping.columns.${field}`, `is not a field of a ${mapping.kind} import (fields: ${FIELDS_OF[mapping.kind].join(', ')})`);
    const i = headers.indexOf(header);
    if (i < 0) throw new InvalidInput(`mapping.columns.${field}`, `names column "${header}", which the file does not have (columns: ${headers.join(', ')})`);
    index[field] = i;
  }
  for (const field of REQUIRED_OF[mapping.kind]) {
    if (index[field] === undefined) throw new InvalidInput(`mapping.columns.${field}`, `is required: choose the column that holds the ${field.replace('_', ' ')}`);
  }
  return index;
}

export function checkMapping(mapping: FileMapping): void {
  if (!isKnownZone(mapping.zone)) throw new InvalidInput('zone', `"${mapping.zone}" is not a time zone name (e.g. UTC, Europe/Berlin, America/New_York)`);
}

/** The rows of a sample read through a mapping, each parsed as the import will parse it. */
export function previewRows(text: string, mapping: FileMapping, now: number, limit = 20): { headers: string[]; preview: PreviewRow[] } {
  const { headers, rows } = sampleRows(text, mapping);
  let index: Partial<Record<ImportField, number>>;
  try {
    index = columnIndex(headers, mapping);
  } catch {
    index = {};
    for (const [field, header] of Object.entries(mapping.columns) as [ImportField, string][]) if (headers.includes(header)) index[field] = headers.indexOf(header);
  }
  const options = { kind: mapping.kind, zone: mapping.zone, dateFormat: mapping.date_format, thousands: mapping.thousands_separator, now };
  const preview = rows.slice(0, limit).map((record, i): PreviewRow => {
    const values = valuesOf(record, index);
    try {
      readRow(values, options);
      return { row: i + 1, values, problem: null };
    } catch (error) {
      if (!(error instanceof RowRefused)) throw error;
      return { row: i + 1, values, problem: { row: i + 1, column: error.column, rule: error.message, value: error.value } };
    }
  });
  return { headers, preview };
}

/** Everything Canopy guesses about a file from its first bytes: encoding, delimiter, header, kind, columns, date format. */
export function guessFile(sample: Uint8Array, now: number, saved: FileMapping | null = null): FileGuess {
  if (sample.length === 0) throw new InvalidInput('file', 'is empty: export at least a header row and one reading');
  const { encoding, bom } = detectEncoding(sample);
  let text = decode(sample, encoding);
  const cut = text.lastIndexOf('\n');
  if (cut > 0 && sample.length >= 65_536) text = text.slice(0, cut + 1);
  const notes: string[] = [];
  if (bom) notes.push('UTF-8 with a byte-order mark');
  if (encoding === 'windows-1252') notes.push('not valid UTF-8: read as Windows-1252');
  const delimiter = guessDelimiter(text);
  const all = parseSample(text, delimiter);
  if (all.length === 0) throw new InvalidInput('file', 'has no rows Canopy can read as CSV');
  const header_line = guessHeaderLine(all);
  const headers = (all[header_line - 1] ?? []).map((h) => h.trim());
  const rows = all.slice(header_line);
  if (header_line > 1) notes.push(`header on line ${header_line}: the lines above it are skipped`);
  const kind = guessKind(headers, rows);
  let columns = guessColumns(headers, kind);
  // A saved mapping whose columns this file has wins: next month's export is one click.
  const usable = saved !== null && saved.kind === kind && Object.values(saved.columns).every((h) => headers.includes(h!));
  if (usable) columns = saved.columns;
  const timeHeader = columns.timestamp ?? columns.date;
  const at = timeHeader === undefined ? -1 : headers.indexOf(timeHeader);
  const { format, ambiguous } = guessDateFormat(at < 0 ? [] : rows.slice(0, 200).map((r) => r[at] ?? ''));
  const countHeader = columns.lifetime_total ?? columns.pages;
  const counts = countHeader === undefined ? [] : rows.slice(0, 200).map((r) => r[headers.indexOf(countHeader)] ?? '');
  const mapping: FileMapping = {
    kind, columns, delimiter, header_line, encoding,
    date_format: usable ? saved.date_format : format,
    zone: usable ? saved.zone : 'UTC',
    thousands_separator: usable ? saved.thousands_separator : guessThousands(counts, delimiter),
  };
  if (usable) notes.push('the mapping saved for this feed');
  else if (ambiguous && at >= 0 && kind !== 'usage_monthly') notes.push(`dates could be day-first or month-first: read as ${format === 'dmy' ? 'DD/MM/YYYY' : 'MM/DD/YYYY'}; change it if wrong`);
  const zoneless = at >= 0 && rows.slice(0, 50).some((r) => dateParts(r[at] ?? '', mapping.date_format)?.offset === null);
  if (zoneless && kind === 'counters') notes.push(`times without a zone are read in ${mapping.zone}`);
  for (const field of REQUIRED_OF[kind]) if (columns[field] === undefined) notes.push(`no column looks like ${field}: choose one`);
  return { mapping, headers, notes, preview: previewRows(text, mapping, now).preview };
}

/** A byte stream decoded in the given encoding, chunk by chunk (multi-byte characters across chunks kept whole). */
async function* decoded(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, encoding: Encoding, bytes: { n: number }): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of source) {
    bytes.n += chunk.length;
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** A malformed CSV, named by its line: what csv-parse found. */
function csvProblem(error: CsvError): InvalidInput {
  const line = (error as CsvError & { lines?: number }).lines;
  const reason = error.message.replace(/^[^:]*:\s*/, '').replace(/\s*at line \d+.*$/i, '');
  return new InvalidInput('file', `is not valid CSV${line ? ` at line ${line}` : ''}: ${reason}`);
}

/**
 * The file's rows through the mapping, streamed: memory stays flat whatever the size. Row numbers count data
 * rows after the header (row 1 is the first reading), as the preview and the problems name them.
 */
export async function* fileRows(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, mapping: FileMapping): AsyncGenerator<SourceRow> {
  const bytes = { n: 0 };
  const parser = Readable.from(decoded(source, mapping.encoding, bytes)).pipe(parse({
    delimiter: mapping.delimiter, relax_column_count: true, skip_empty_lines: true, from_line: mapping.header_line, bom: true,
  }));
  let index: Partial<Record<ImportField, number>> | null = null;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (index === null) {
        index = columnIndex(record.map((h) => h.trim()), mapping);
        continue;
      }
      row += 1;
      yield { row, values: valuesOf(record, index), bytes: bytes.n };
    }
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(error);
    throw error;
  }
  if (index === null) throw new InvalidInput('file', 'is empty: export at least a header row and one reading');
}

/**
 * An API body in CSV: a header row of the field names (device_id, timestamp, lifetime_total, ...), parsed
 * whole before anything is stored, so a malformed body stores nothing. Unknown columns are refused by name.
 */
export function apiCsvRows(text: string, maxRows: number): { kind: ImportKind; rows: SourceRow[] } {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new InvalidInput('body', 'is empty: send a header row and at least one reading');
  const firstLine = body.slice(0, body.indexOf('\n') < 0 ? body.length : body.indexOf('\n'));
  const delimiter = DELIMITERS.map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0][0];
  let records: string[][];
  try {
    records = parseSync(body, { delimiter, relax_column_count: true, skip_empty_lines: true, to_line: maxRows + 2 }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(error);
    throw error;
  }
  const headers = records[0].map((h) => h.trim().toLowerCase());
  const kind = kindOfFields(headers);
  if (kind === null) throw new InvalidInput('body', `header row needs lifetime_total (counters) or pages (usage); it has ${headers.join(', ')}`);
  const unknown = headers.filter((h) => !(FIELDS_OF[kind] as readonly string[]).includes(h));
  if (unknown.length > 0) throw new InvalidInput('body', `has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}: a ${kind} import has ${FIELDS_OF[kind].join(', ')}`);
  if (records.length - 1 > maxRows) throw new InvalidInput('body', `has more than ${maxRows} rows: send them in several requests`);
  if (records.length === 1) throw new InvalidInput('body', 'has a header row but no readings');
  const index = columnIndex(headers, { kind, columns: Object.fromEntries(headers.map((h) => [h, h])) as FileMapping['columns'] });
  return { kind, rows: records.slice(1).map((record, i) => ({ row: i + 1, values: valuesOf(record, index) })) };
}
