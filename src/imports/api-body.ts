// A JSON body of readings (POST /feeds/:id/readings) → numbered rows; unknown fields refused by name.
import { InvalidInput } from '../domain/errors.ts';
import { FIELDS_OF, kindOfFields, type ImportField, type ImportKind } from './reading-rows.ts';
import type { SourceRow } from './import-feed.ts';

export function apiJsonRows(body: unknown, maxRows: number): { kind: ImportKind; rows: SourceRow[] } {
  const empty = body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
  if (empty) throw new InvalidInput('body', 'is empty: send a JSON array of readings, or a text/csv body with a header row');
  if (!Array.isArray(body)) throw new InvalidInput('body', 'must be a JSON array of readings (or a text/csv body)');
  if (body.length === 0) throw new InvalidInput('body', 'is an empty array: send at least one reading');
  if (body.length > maxRows) throw new InvalidInput('body', `has ${body.length} rows, more than ${maxRows}: send them in several requests`);
  const first = body[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) throw new InvalidInput('body[0]', 'must be an object');
  const kind = kindOfFields(Object.keys(first));
  if (kind === null) throw new InvalidInput('body[0]', 'needs lifetime_total (a counter reading) or pages (a usage figure)');
  const allowed = FIELDS_OF[kind] as readonly string[];
  const rows = body.map((item, i): SourceRow => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new InvalidInput(`body[${i}]`, 'must be an object');
    const values: Partial<Record<ImportField, string>> = {};
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      if (!allowed.includes(key)) throw new InvalidInput(`body[${i}].${key}`, `is not a field of a ${kind} reading (fields: ${allowed.join(', ')})`);
      if (value === null || value === undefined) continue;
      if (typeof value === 'object') throw new InvalidInput(`body[${i}].${key}`, 'must be a string, number or boolean');
      values[key as ImportField] = String(value);
    }
    return { row: i + 1, values };
  });
  return { kind, rows };
}
