// Request validation for every route: JSON bodies exactly as the schema says, text parts (query, path,
// headers) turned into numbers only from plain decimal text, and no NUL characters anywhere.
import AjvCompiler from '@fastify/ajv-compiler';

/** What ajv reports, and what the errors plugin turns into "<field> <rule>". */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

interface ValidateFn {
  (data: unknown, context?: unknown): boolean | Promise<unknown>;
  errors?: ValidationIssue[] | null;
  schemaEnv?: unknown;
}

interface RouteSchema {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}

type CompilerFromPool = (externalSchemas: Record<string, unknown>, options: { customOptions?: Record<string, unknown>; plugins?: unknown[] }) => (route: RouteSchema) => ValidateFn;

const fromPool = AjvCompiler() as unknown as CompilerFromPool;

/** JSON Pointer of a key, as ajv writes instancePath. */
const pointer = (path: string, key: string | number) => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/**
 * The first string (or object key) holding U+0000, as an ajv-style issue: PostgreSQL text cannot store
 * it, and no name, id or email needs it. Walks iteratively, so depth is no risk here.
 */
export function nulIssue(data: unknown): ValidationIssue | null {
  const stack: Array<[unknown, string]> = [[data, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return issue('nul', path, 'must not contain NUL (\\u0000) characters');
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push([item, pointer(path, index)]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return issue('nul', path, 'must not have a field name containing NUL (\\u0000) characters');
        stack.push([item, pointer(path, key)]);
      }
    }
  }
  return null;
}

function issue(keyword: string, instancePath: string, message: string, params: Record<string, unknown> = {}): ValidationIssue {
  return { keyword, instancePath, schemaPath: '', params, message };
}

// Text that is a number and nothing else: no hex, no "Infinity", no blanks, no trailing garbage.
const INTEGER_TEXT = /^[+-]?\d{1,30}$/;
const NUMBER_TEXT = /^[+-]?(\d{1,30}(\.\d{1,30})?|\.\d{1,30})([eE][+-]?\d{1,4})?$/;

function typesOf(schema: unknown): string[] {
  const type = (schema as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

/**
 * ajv's text coercion reads "0x10" as 16, " 1 " as 1 and "Infinity" as a number. Before it runs, a text
 * value for a numeric or boolean property must look like one, or the property is reported as the wrong
 * type (naming it), whatever ajv would have made of it.
 */
export function looseTextIssue(schema: unknown, data: unknown): ValidationIssue | null {
  const properties = (schema as { properties?: Record<string, unknown> } | null)?.properties;
  if (!properties || data === null || typeof data !== 'object') return null;
  for (const [name, propertySchema] of Object.entries(properties)) {
    const raw = (data as Record<string, unknown>)[name];
    if (raw === undefined) continue;
    let types = typesOf(propertySchema);
    let values = [raw];
    if (types.includes('array')) {
      types = typesOf((propertySchema as { items?: unknown }).items);
      values = Array.isArray(raw) ? raw : [raw];
    }
    for (const value of values) {
      if (typeof value !== 'string' || types.includes('string')) continue;
      const fits =
        (types.includes('integer') && INTEGER_TEXT.test(value)) ||
        (types.includes('number') && NUMBER_TEXT.test(value)) ||
        (types.includes('boolean') && (value === 'true' || value === 'false')) ||
        (types.includes('null') && value === '');
      if (!fits && types.some((t) => t === 'integer' || t === 'number' || t === 'boolean')) {
        return issue('type', pointer('', name), 'has the wrong type', { type: types.join(',') });
      }
    }
  }
  return null;
}

function guarded(validate: ValidateFn, precheck: (data: unknown) => ValidationIssue | null): ValidateFn {
  const wrapper: ValidateFn = (data, context) => {
    const found = precheck(data);
    if (found) {
      wrapper.errors = [found];
      return false;
    }
    const result = validate(data, context);
    wrapper.errors = validate.errors ?? null;
    return result;
  };
  // Fastify passes the parent object to ajv functions (so ajv may replace a coerced root); keep that.
  if (validate.schemaEnv) wrapper.schemaEnv = validate.schemaEnv;
  wrapper.errors = null;
  return wrapper;
}

/**
 * Fastify's schemaController.compilersFactory.buildValidator: two ajv instances from Fastify's own
 * compiler, same options except coercion. Bodies are JSON and carry real types, so nothing is coerced
 * ("pages": "0x10" or true is a 400). Query strings, path parameters and headers are text: numbers
 * and booleans are read from strict decimal text only. NaN and Infinity are never numbers.
 */
function buildPartValidator(externalSchemas: Record<string, unknown>, ajvOptions?: { customOptions?: object; plugins?: unknown[] }) {
  const customOptions = ajvOptions?.customOptions ?? {};
  // allowUnionTypes: a decimal figure is ['number', 'string'] on purpose (DecimalFigure in schemas.ts).
  const strict = { ...customOptions, strictNumbers: true, allowUnionTypes: true };
  const json = fromPool(externalSchemas, { ...ajvOptions, customOptions: { ...strict, coerceTypes: false } });
  const text = fromPool(externalSchemas, { ...ajvOptions, customOptions: { ...strict, coerceTypes: 'array' } });
  return (route: RouteSchema): ValidateFn => {
    if (route.httpPart === 'body') return guarded(json(route), nulIssue);
    return guarded(text(route), (data) => nulIssue(data) ?? looseTextIssue(route.schema, data));
  };
}

/** As Fastify's types name a validator factory (its declared signature predates the route argument). */
export const buildValidator = buildPartValidator as unknown as AjvCompiler.BuildCompilerFromPool;
