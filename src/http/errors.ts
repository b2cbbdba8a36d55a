// Maps every failure to PrintReleaf's {code, error} body: typed domain errors, validation, framework errors.
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DECIMAL_TEXT_PATTERN } from './schemas.ts';
import { Conflict, Forbidden, InvalidInput, NotFound, UpstreamUnavailable } from '../domain/errors.ts';

export class Unauthorized extends Error {}
export class TooManyRequests extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  uuid: 'a UUID',
  date: 'a date in YYYY-MM-DD format',
  'date-time': 'an ISO 8601 timestamp',
  email: 'an email address',
  uri: 'a URL',
};

function fieldName(context: string | undefined, instancePath: string, extra?: unknown): string {
  const parts = instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (typeof extra === 'string') parts.push(extra);
  let name = '';
  for (const part of parts) name += /^\d+$/.test(part) ? `[${part}]` : name ? `.${part}` : part;
  return name || (context === 'body' ? 'body' : (context ?? 'request'));
}

/** Turns the first schema violation into a sentence that names the field and the rule. */
export function validationMessage(errors: AjvError[], context: string | undefined): string {
  const e = errors[0];
  if (!e) return 'request is invalid';
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `${fieldName(context, e.instancePath, p.missingProperty)} is required`;
    case 'type': {
      const name = fieldName(context, e.instancePath);
      if (name === 'body') return 'body must be a JSON object';
      let words = String(p.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      // number + string is a decimal figure (DecimalFigure): say what text it takes.
      if (words.includes(TYPE_WORDS.number) && words.includes(TYPE_WORDS.string)) {
        words = ['a number or decimal text', ...words.filter((w) => w !== TYPE_WORDS.number && w !== TYPE_WORDS.string)];
      }
      return `${name} must be ${words.join(' or ')}`;
    }
    case 'format':
      return `${fieldName(context, e.instancePath)} must be ${FORMAT_WORDS[String(p.format)] ?? `in ${String(p.format)} format`}`;
    case 'enum':
      return `${fieldName(context, e.instancePath)} must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `${fieldName(context, e.instancePath)} must be ${JSON.stringify(p.allowedValue)}`;
    case 'minimum':
      return `${fieldName(context, e.instancePath)} must be at least ${String(p.limit)}`;
    case 'exclusiveMinimum':
      return `${fieldName(context, e.instancePath)} must be greater than ${String(p.limit)}`;
    case 'maximum':
      return `${fieldName(context, e.instancePath)} must be at most ${String(p.limit)}`;
    case 'formatMinimum':
      return `${fieldName(context, e.instancePath)} must be on or after ${String(p.limit)}`;
    case 'formatMaximum':
      return `${fieldName(context, e.instancePath)} must be on or before ${String(p.limit)}`;
    case 'exclusiveMaximum':
      return `${fieldName(context, e.instancePath)} must be less than ${String(p.limit)}`;
    case 'minLength':
      return Number(p.limit) === 1
        ? `${fieldName(context, e.instancePath)} must not be empty`
        : `${fieldName(context, e.instancePath)} must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `${fieldName(context, e.instancePath)} must be at most ${String(p.limit)} characters`;
    case 'minItems':
      return `${fieldName(context, e.instancePath)} must have at least ${String(p.limit)} item(s)`;
    case 'maxItems':
      return `${fieldName(context, e.instancePath)} must have at most ${String(p.limit)} items`;
    case 'pattern':
      if (p.pattern === DECIMAL_TEXT_PATTERN) {
        return `${fieldName(context, e.instancePath)} must be a number or decimal text such as "0.2159"`;
      }
      return `${fieldName(context, e.instancePath)} is not in the expected format`;
    case 'additionalProperties':
      return `${fieldName(context, e.instancePath, p.additionalProperty)} is not a known field`;
    default:
      return `${fieldName(context, e.instancePath)} ${e.message ?? 'is invalid'}`;
  }
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'body is not valid JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body is too large (limit 1 MiB)',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'body must be JSON (Content-Type: application/json)',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'body is empty; send a JSON object',
};

interface Mapped {
  status: number;
  message: string;
}

export function mapError(error: unknown): Mapped | null {
  if (error instanceof InvalidInput) return { status: 400, message: error.message };
  if (error instanceof NotFound) return { status: 404, message: error.message };
  if (error instanceof Conflict) return { status: 409, message: error.message };
  if (error instanceof Forbidden) return { status: 403, message: error.message };
  if (error instanceof UpstreamUnavailable) return { status: 502, message: error.message };
  if (error instanceof Unauthorized) return { status: 401, message: error.message };
  if (error instanceof TooManyRequests) return { status: 429, message: error.message };
  const fe = error as Partial<FastifyError> & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation)) {
    return { status: 400, message: validationMessage(fe.validation, fe.validationContext) };
  }
  if (fe && typeof fe.code === 'string' && fe.code in FRAMEWORK_MESSAGES) {
    // Oversize bodies count as bad input (400) like every other malformed request.
    return { status: 400, message: FRAMEWORK_MESSAGES[fe.code] };
  }
  if (fe && error instanceof SyntaxError) return { status: 400, message: 'body is not valid JSON' };
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode === 413 ? 400 : fe.statusCode, message: fe.message ?? 'bad request' };
  }
  // A unique violation that a service did not anticipate is still a conflict, never a 500.
  if ((error as { code?: string }).code === '23505') return { status: 409, message: 'conflicts with an existing record' };
  return null;
}

/** Longer URLs are refused with 414 before routing: no Canopy URL comes near it. */
export const MAX_URL_LENGTH = 8192;

/** Fastify's frameworkErrors option: errors found while routing, before any hook, in our shape. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return reply.code(414).send({ code: 414, error: 'a path parameter is too long (limit 100 characters)' });
  }
  const message = error.code === 'FST_ERR_BAD_URL' ? 'URL path is not valid: bad percent-encoding' : 'request URL is not valid';
  return reply.code(400).send({ code: 400, error: message });
}

/** Fastify's clientErrorHandler: HTTP the parser could not read (no request object exists yet). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, label, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request line and headers are too large (limit 16 KiB)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request took too long to arrive']
        : [400, 'Bad Request', 'request is not valid HTTP'];
  const body = JSON.stringify({ code: status, error: message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${label}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.length > MAX_URL_LENGTH) {
      return reply.code(414).send({ code: 414, error: `URL is too long (limit ${MAX_URL_LENGTH} characters)` });
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const mapped = mapError(error);
    if (mapped) {
      if (error instanceof TooManyRequests) reply.header('retry-after', String(error.retryAfterSeconds));
      if (mapped.status === 401) reply.header('www-authenticate', 'Basic realm="Canopy"');
      return reply.code(mapped.status).send({ code: mapped.status, error: mapped.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ code: 500, error: 'Internal server error' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 404, error: `No route for ${request.method} ${request.url.split('?')[0]}` });
  });
});
