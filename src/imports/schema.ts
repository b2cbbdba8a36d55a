// Wire shapes of imports: the column mapping, the guess and preview of a file, an import's summary and progress.
import { Type } from 'typebox';
import { Day, NullableString, NullableTimestamp, StringEnum, Timestamp, Uuid } from '../http/schemas.ts';

const Kind = StringEnum(['counters', 'usage_daily', 'usage_monthly'] as const, {
  description: 'counters: lifetime totals per reading; usage_daily: pages per device per day; usage_monthly: pages per device per month',
});
const field = (description: string) => Type.Optional(Type.String({ maxLength: 255, description }));

export const Mapping = Type.Object({
  kind: Kind,
  columns: Type.Object({
    device_id: field('column holding the device id'),
    timestamp: field('counters: column holding the reading time'),
    lifetime_total: field('counters: column holding the lifetime total'),
    black_total: field('counters: column holding the black lifetime total (optional)'),
    color_total: field('counters: column holding the colour lifetime total (optional)'),
    managed: field('counters: column holding the managed flag (optional)'),
    paper_size: field('usage: column holding the paper size (optional; Letter when absent)'),
    date: field('usage_daily: column holding the day'),
    month: field('usage_monthly: column holding the month'),
    pages: field('usage: column holding the pages'),
  }, { additionalProperties: false, description: 'import field → the header of the column it is read from' }),
  delimiter: StringEnum([',', ';', '\t', '|'] as const),
  header_line: Type.Integer({ minimum: 1, maximum: 1000, description: '1-based line of the header row; lines above it are skipped' }),
  encoding: StringEnum(['utf-8', 'windows-1252'] as const, { description: 'utf-8 (with or without BOM) or windows-1252' }),
  date_format: StringEnum(['iso', 'ymd', 'mdy', 'dmy'] as const, { description: 'iso/ymd: 2025-01-31; mdy: 01/31/2025; dmy: 31/01/2025 or 31.01.2025' }),
  zone: Type.String({ maxLength: 64, description: 'IANA zone for times written without an offset (default UTC)' }),
  thousands_separator: Type.Union([StringEnum([',', '.', ' ', "'"] as const), Type.Null()], { description: 'grouping in counters (1,234), or null: digits only' }),
});

export const Problem = Type.Object({
  row: Type.Integer({ description: 'data row (1 = the first row after the header; for a JSON body, its index + 1)' }),
  column: Type.String({ description: 'the field the rule is about' }),
  rule: Type.String({ description: 'what is wrong and what Canopy did' }),
  value: NullableString,
});

export const ChangedDay = Type.Object({ date: Day, pages_before: Type.Integer(), pages_after: Type.Integer() });

export const ImportSummary = Type.Object({
  job_id: Uuid,
  kind: Kind,
  rows: Type.Integer(),
  accepted: Type.Integer({ description: 'rows stored' }),
  duplicates: Type.Integer({ description: 'rows Canopy already had (same device and time, same counter): nothing changes' }),
  conflicts: Type.Integer({ description: 'rows of a device and time Canopy has with another counter: not replaced' }),
  refused: Type.Integer({ description: 'rows that break a rule (see problems)' }),
  problems: Type.Array(Problem, { description: 'the first 1,000 conflicts and refusals, each naming its row, column and rule' }),
  changed_days: Type.Array(ChangedDay, { description: 'the days whose deposits changed' }),
  resumed_after: Type.Integer({ description: 'rows an interrupted import of the same file had committed already' }),
});

export const ReadingsQuery = Type.Object({
  zone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone of times without an offset (default UTC)' })),
  date_format: Type.Optional(StringEnum(['iso', 'ymd', 'mdy', 'dmy'] as const, { description: 'order of day and month in dates (default iso)' })),
  thousands_separator: Type.Optional(StringEnum([',', '.', ' ', "'"] as const, { description: 'accept counters grouped with this separator (1,234)' })),
});

export const PreviewRow = Type.Object({
  row: Type.Integer(),
  values: Type.Record(Type.String(), Type.String()),
  problem: Type.Union([Problem, Type.Null()]),
});

export const FileGuess = Type.Object({
  mapping: Mapping,
  headers: Type.Array(Type.String()),
  notes: Type.Array(Type.String(), { description: 'what the guess is unsure about' }),
  preview: Type.Array(PreviewRow, { description: 'the first rows as the import will read them' }),
});

export const CreateImportBody = Type.Object({
  filename: Type.Optional(Type.String({ maxLength: 255 })),
  bytes_total: Type.Optional(Type.Integer({ minimum: 0, description: 'the file size, for the progress bar' })),
  mapping: Type.Optional(Mapping),
  save_mapping: Type.Optional(Type.Boolean({ description: 'keep this mapping for the feed’s next files' })),
});

export const ImportJob = Type.Object({
  id: Uuid,
  feed_id: Uuid,
  status: StringEnum(['waiting', 'running', 'succeeded', 'failed'] as const),
  source: StringEnum(['api', 'upload', 'cli'] as const),
  filename: NullableString,
  bytes_total: Type.Union([Type.Integer(), Type.Null()]),
  bytes_done: Type.Integer(),
  rows_done: Type.Integer(),
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  conflicts: Type.Integer(),
  refused: Type.Integer(),
  problems: Type.Array(Problem),
  changed_days: Type.Array(ChangedDay),
  error: NullableString,
  created_at: Timestamp,
  finished_at: NullableTimestamp,
});
