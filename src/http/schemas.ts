// Shared TypeBox schemas: the single source for request validation and the OpenAPI document.
import { Type, type Static, type TSchema } from 'typebox';
import { FIRST_LEDGER_DAY, LAST_LEDGER_DAY } from '../domain/calendar.ts';

export const Uuid = Type.String({ format: 'uuid', description: 'UUID' });
export const Day = Type.String({ format: 'date', description: 'UTC day, YYYY-MM-DD' });
/** A day a client sends: a real calendar date within the ledger's years (published as formatMinimum/Maximum). */
export const LedgerDay = (description: string) =>
  Type.String({ format: 'date', formatMinimum: FIRST_LEDGER_DAY, formatMaximum: LAST_LEDGER_DAY, description });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC, e.g. 2021-03-08T14:52:33Z' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
export const NullableString = Type.Union([Type.String(), Type.Null()]);
export const NullableUuid = Type.Union([Uuid, Type.Null()]);

/**
 * A request field that may be null, as a JSON Schema type list rather than anyOf: with coerceTypes,
 * ajv coerces inside anyOf branches and would turn null into 0 or "" (and 0 into null). It also keeps
 * the validation message plain: "width must be a number or null".
 */
export function orNull<T extends TSchema>(schema: T) {
  const type = (schema as { type?: unknown }).type;
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [...[type].flat(), 'null'] });
}

/** Decimal text a client may send instead of a JSON number, to keep a figure exact ("0.2159"). */
export const DECIMAL_TEXT_PATTERN = '^[0-9]{1,20}(\\.[0-9]{1,20})?$';

/**
 * A non-negative decimal figure: a JSON number within the bounds, or decimal text (the domain applies
 * the same bounds to it). Integers (pages, density) are never read from text.
 */
export function DecimalFigure(bounds: { minimum?: number; exclusiveMinimum?: number; maximum: number; description: string }) {
  return Type.Unsafe<number | string>({
    ...bounds,
    type: ['number', 'string'],
    pattern: DECIMAL_TEXT_PATTERN,
    maxLength: 41,
    description: `${bounds.description}; a number or decimal text such as "0.2159"`,
  });
}

/** A string limited to the given values; validation names them all in its error. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A sum of standard pages in a response: an exact integer (a BigInt is written digit for digit). */
export function PageTotal(description: string) {
  return Type.Unsafe<number | bigint>({ type: 'integer', minimum: 0, description });
}

export const ErrorBody = Type.Object(
  { code: Type.Integer({ examples: [404] }), error: Type.String({ examples: ['Account not found'] }) },
  { $id: 'Error', description: 'Every error: the HTTP status and a message naming the field or rule' },
);

export const IdParams = Type.Object({ id: Uuid });

/** The last page a list serves: beyond it the offset is no longer a list, it is a probe. */
export const MAX_PAGE = 1_000_000;

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000, description: 'page size (≤ 1000)' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1, description: `page number, from 1 to ${MAX_PAGE}` })),
});

export const Deleted = Type.Object({ id: Uuid, deleted: Type.Boolean() });

/** Standard error responses for the OpenAPI document. */
export function errorResponses(...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const code of codes) out[code] = Type.Ref('Error');
  return out;
}
