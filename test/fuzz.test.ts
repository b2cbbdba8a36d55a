// Fuzz: thousands of generated bad (and some good) requests to every operation of the OpenAPI document,
// enumerated at run time so routes added later are covered too. No answer is a 500, and every error is
// exactly {code, error} with code equal to the status. Deterministic: FUZZ_SEED and FUZZ_RUNS reproduce a run.
import dns from 'node:dns';
import net from 'node:net';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

/**
 * Operations that contact upstream servers with what they are given (POST /servers, /servers/test, a
 * PATCH with a new url) are fuzzed too, safely: the app runs with CANOPY_ALLOW_PRIVATE_UPSTREAMS off,
 * every host name resolves to a local sink (127.0.0.1, so no DNS query leaves the machine either) and is
 * refused as a loopback address, and every outgoing socket is checked: one to an address outside
 * 127.0.0.0/8 is cut before it connects, and fails the run.
 */
const UPSTREAM_URLS = fc.constantFrom(
  'https://papi.printtrackerpro.com', 'https://api.printix.net', 'https://auth.printix.net/oauth/token', 'https://pharos.fuzz.example/',
  'https://fuzz.example:8443/x?y=1', 'http://plain.fuzz.example', 'https://user:pw@fuzz.example', 'https://127.0.0.1:9', 'https://[::1]:9',
  'https://169.254.169.254/latest', 'https://10.0.0.1', 'https://[fe80::1]', 'https://0', 'https://localhost', 'ftp://fuzz.example',
  'https://', 'https://%00.example', `https://${'a'.repeat(300)}.example`,
);
const URL_FIELDS = new Set(['url', 'auth_url']);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host) || /^::ffff:127\./i.test(host);
}

/** Names resolve to the sink; sockets to anything but loopback are cut and recorded. Returns the undo. */
function keepTrafficLocal(record: { resolved: number; connects: number; offMachine: string[] }): () => void {
  const lookup = dns.lookup;
  const promisesLookup = dns.promises.lookup;
  const connect = net.Socket.prototype.connect;
  const sink = (options: unknown) => {
    record.resolved += 1;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    return all ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 };
  };
  (dns as { lookup: unknown }).lookup = (_host: string, options: unknown, callback?: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (e: null, a: unknown, f?: number) => void;
    const answer = sink(typeof options === 'function' ? {} : options) as { address: string; family: number } | unknown[];
    process.nextTick(() => (Array.isArray(answer) ? done(null, answer) : done(null, answer.address, answer.family)));
  };
  (dns.promises as { lookup: unknown }).lookup = async (_host: string, options?: unknown) => sink(options ?? {});
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { host?: string; path?: string; port?: number } | number | string;
    const host = typeof first === 'object' && first !== null ? first.host : typeof first === 'number' ? (args[1] as string | undefined) : undefined;
    const local = typeof first === 'object' && first?.path !== undefined;
    record.connects += 1;
    if (!local && host !== undefined && net.isIP(host.replace(/^\[|\]$/g, '')) !== 0 && !isLoopback(host)) {
      record.offMachine.push(host);
      process.nextTick(() => this.destroy(new Error(`fuzz: a connection to ${host} was cut: traffic must stay on 127.0.0.0/8`)));
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;
  return () => {
    (dns as { lookup: unknown }).lookup = lookup;
    (dns.promises as { lookup: unknown }).lookup = promisesLookup;
    net.Socket.prototype.connect = connect;
  };
}

interface Schema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: Schema | null;
}

// ---- generators ---------------------------------------------------------------------------------

const hostileText = fc.oneof(
  fc.constantFrom(
    '', ' ', '\u0000', 'a\u0000b', '%00', '\ud800', '😀', '../../etc/passwd', "'; DROP TABLE accounts; --", '<script>x</script>',
    'null', 'true', 'false', '0x10', '0b11', '1e20', '1e400', '-1e400', 'Infinity', '-Infinity', 'NaN', '-0', '+1', ' 7 ', '1.',
    '99999999999999999999', '-99999999999999999999', '9007199254740993', '1,5', '9999-12-31', '0000-00-00', '2021-02-30',
    '0001-01-01', '2021-13-01', '2021-03-08T25:00:00Z', '2021-03-08T14:52:33+99:99', 'not-a-uuid',
    '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', 'a@b', '@', 'x'.repeat(300), 'é'.repeat(70),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, -0.5, 1e-9, 1e20, -1e20, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 31, 2 ** 63, 1e9 + 1, 1e10 + 1),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), hostileText, { maxKeys: 3 }),
);

function typesOf(schema: Schema): string[] {
  if (schema.type) return [schema.type].flat();
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap(typesOf);
  return [];
}

function plausible(schema: Schema, fixtures: string[], depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options: fc.Arbitrary<unknown>[] = [];
  for (const type of typesOf(schema)) {
    if (type === 'integer' || type === 'number') {
      const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e6;
      const max = schema.maximum ?? 1e6;
      const inside = type === 'integer'
        ? fc.integer({ min: Math.max(Math.ceil(min), -(2 ** 31)), max: Math.min(Math.floor(max), 2 ** 31) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      options.push(inside, fc.constantFrom(min, max, min - 1, max + 1));
    } else if (type === 'string') {
      if (schema.format === 'uuid') options.push(fc.oneof(fc.constantFrom(...fixtures), fc.uuid()));
      else if (schema.format === 'date') options.push(fc.date({ min: new Date('1960-01-01'), max: new Date('3100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
      else if (schema.format === 'date-time') options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
      else if (schema.format === 'email') options.push(fc.emailAddress());
      else if (schema.format === 'uri') options.push(fc.constantFrom('http://127.0.0.1:9/', 'https://[::1]/x', 'ftp://x'));
      else if (schema.pattern && schema.pattern.includes('[0-9]')) options.push(fc.constantFrom('0.2159', '10', '10.0000000001', '0', '00.5'));
      else {
        const length = { minLength: schema.minLength ?? 0, maxLength: Math.min((schema.maxLength ?? 30) + 3, 400) };
        // Valid-looking text with one awkward character inside: it passes the schema and reaches the store.
        const spiced = fc
          .tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '😀', '\\', '"', "'", '%', '\u202e', '\uffff'), fc.string({ maxLength: 8 }))
          .map((parts) => parts.join(''));
        options.push(fc.string(length), spiced);
      }
    } else if (type === 'boolean') {
      options.push(fc.boolean());
    } else if (type === 'null') {
      options.push(fc.constant(null));
    } else if (type === 'array' && schema.items && depth < 3) {
      options.push(fc.array(valueFor(schema.items, fixtures, depth + 1), { maxLength: Math.min((schema.maxItems ?? 4) + 1, 6) }));
    } else if (type === 'object' && depth < 3) {
      options.push(objectFor(schema, fixtures, depth + 1));
    }
  }
  return options.length > 0 ? fc.oneof(...options) : hostileJson;
}

function valueFor(schema: Schema, fixtures: string[], depth = 0): fc.Arbitrary<unknown> {
  // Mostly plausible, so that requests also get past validation into the services with extreme values.
  return fc.oneof({ arbitrary: plausible(schema, fixtures, depth), weight: 7 }, { arbitrary: hostileJson, weight: 1 });
}

function objectFor(schema: Schema, fixtures: string[], depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  // Required fields are usually there (to get past validation), optional ones half the time.
  const fields = Object.fromEntries(
    properties.map(([name, property]) => {
      const value = URL_FIELDS.has(name) ? fc.oneof({ arbitrary: UPSTREAM_URLS, weight: 3 }, { arbitrary: valueFor(property, fixtures, depth), weight: 1 }) : valueFor(property, fixtures, depth);
      return [name, fc.option(value, { nil: undefined, freq: required.has(name) ? 8 : 2 })];
    }),
  );
  return fc
    .tuple(fc.record(fields), fc.option(fc.dictionary(fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'account_id'), hostileJson, { maxKeys: 2 }), { nil: undefined }))
    .map(([known, extra]) => {
      const body: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(known)) if (value !== undefined) body[key] = value;
      if (extra) for (const [key, value] of Object.entries(extra)) Object.defineProperty(body, key, { value, enumerable: true });
      return body;
    });
}

const rawBodies = fc.constantFrom(
  '{', '[1,2', 'not json', '{"a":', '\u0000', '"text"', 'null', '[]', '{"pages": 1e999}', '{"__proto__": {"admin": true}}',
  `${'['.repeat(40)}${']'.repeat(40)}`, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, '{"name": "\\u0000"}', '{"name": "\\ud800"}',
);

function bodyFor(op: Operation, fixtures: string[]): fc.Arbitrary<string | undefined> {
  const json = (value: unknown) => JSON.stringify(value);
  const shaped = op.body ? objectFor(op.body, fixtures).map(json) : fc.constant(undefined);
  return fc.oneof(
    { arbitrary: shaped, weight: 6 },
    { arbitrary: hostileJson.map(json), weight: 1 },
    { arbitrary: rawBodies, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

function textFor(schema: Schema | undefined, fixtures: string[]): fc.Arbitrary<string> {
  const plain = schema ? plausible(schema, fixtures).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')) : fc.string();
  return fc.oneof({ arbitrary: plain, weight: 2 }, { arbitrary: hostileText, weight: 1 });
}

/** Percent-encoding; a lone surrogate (no UTF-8 form) is sent as the bytes a sloppy client would send. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
}

/** Mostly well encoded; sometimes raw, with broken percent-escapes a client might send. */
const encoded = (text: fc.Arbitrary<string>) =>
  fc.oneof(
    { arbitrary: text.map(encode), weight: 12 },
    { arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F..%2F', '%C0%AF'), weight: 1 },
  );

interface Credentials {
  [who: string]: string;
}

function requestFor(op: Operation, fixtures: string[], keys: Credentials): fc.Arbitrary<InjectOptions & { label: string }> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  // Deactivating the accounts whose keys the fuzzer uses would turn the rest of the run into 403s.
  const targets = op.path.endsWith('/deactivate') ? fixtures.slice(3) : fixtures;
  // The account scope is mostly the dealer or the customer, so that requests reach the routes behind it.
  const valueOf = (p: Parameter) =>
    p.name === 'account_id'
      ? fc.oneof({ arbitrary: fc.constantFrom(fixtures[0], fixtures[1]), weight: 6 }, { arbitrary: textFor(p.schema, fixtures), weight: 1 })
      : fc.oneof(fc.constantFrom(...targets), textFor(p.schema, fixtures));
  const path = fc.tuple(...pathParams.map((p) => encoded(valueOf(p))));
  const query = fc.tuple(
    ...queryParams.map((p) => fc.option(encoded(textFor(p.schema, fixtures)).map((v) => `${p.name}=${v}`), { nil: undefined })),
    fc.option(fc.constantFrom('unknown=1', 'page=1&page=2', 'limit=', 'api_key=secret'), { nil: undefined }),
  );
  const who = fc.oneof(
    { arbitrary: fc.constantFrom(...Object.keys(keys)), weight: 8 },
    { arbitrary: fc.constantFrom('none', 'wrong', 'malformed'), weight: 1 },
  );
  const headers = fc.record({
    idempotency: fc.option(fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }), fc.constantFrom('same-key', 'x'.repeat(256))), { nil: undefined }),
    contentType: fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1'),
  });
  return fc.tuple(path, query, who, headers, bodyFor(op, fixtures)).map(([pathValues, queryParts, caller, h, body]) => {
    let url = op.path;
    pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, pathValues[i])));
    const search = queryParts.filter((q): q is string => q !== undefined).join('&');
    const headerValues: Record<string, string> = {};
    if (caller in keys) headerValues.authorization = `Bearer ${keys[caller]}`;
    else if (caller === 'wrong') headerValues.authorization = 'Bearer wrong-key-0000000000000000';
    else if (caller === 'malformed') headerValues.authorization = 'Basic %%%not-base64';
    if (h.idempotency !== undefined) headerValues['idempotency-key'] = h.idempotency;
    if (h.contentType !== undefined && body !== undefined) headerValues['content-type'] = h.contentType;
    const method = op.method.toUpperCase() as InjectOptions['method'];
    return {
      method, url: search ? `${url}?${search}` : url, headers: headerValues, payload: body,
      label: `${op.method.toUpperCase()} ${op.path}`,
    };
  });
}

// ---- the test -----------------------------------------------------------------------------------

describe(`fuzz: no input is a 500, every error is {code, error} (${storeName})`, () => {
  let t: TestApp;
  let operations: Operation[];
  let fixtures: string[];
  let keys: Credentials;
  const traffic = { resolved: 0, connects: 0, offMachine: [] as string[] };
  let restoreNetwork: () => void = () => {};

  beforeAll(async () => {
    restoreNetwork = keepTrafficLocal(traffic);
    t = await createTestApp({
      // Limits would answer 429 to most of a fuzz run; they have their own tests.
      // Private upstreams stay forbidden (the default): every generated upstream URL is refused.
      env: { CANOPY_RATE_LIMIT_PER_KEY: '0', CANOPY_RATE_LIMIT_AUTH_FAILURES: '1000000', CANOPY_RATE_LIMIT_PDF: '1000000', CANOPY_ALLOW_PRIVATE_UPSTREAMS: '0' },
    });
    const channel = await t.account('Fuzz dealer');
    const customer = await t.account('Fuzz customer', { key: channel.key });
    const make = (url: string, body: unknown) => t.json(url, { method: 'POST', key: customer.key, body });
    const [project] = await t.json('/v1/forestry/projects', { key: customer.key });
    const transaction = await make('/v1/transactions', { pages: 1000 });
    fixtures = [
      channel.id, customer.id, t.rootAccountId, project.id, transaction.id,
      (await make('/v1/deposits', { pages: 500 })).id,
      (await make('/v1/quotes', { project_id: project.id, items: [{ quantity: 100 }] })).id,
      (await make('/v1/users', { email: 'fuzz@example.com' })).id,
      (await make('/v1/invitations', { email: 'invite@example.com' })).id,
      (await make('/v1/paper/types', { name: 'Fuzz stock', density: 90 })).id,
    ];
    keys = { root: t.rootKey, channel: channel.key, customer: customer.key };

    const doc = await t.json('/openapi.json', { key: null });
    operations = [];
    for (const [path, entry] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>)) {
      for (const [method, op] of Object.entries(entry)) {
        const body = op.requestBody?.content?.['application/json']?.schema ?? null;
        operations.push({ method, path, parameters: op.parameters ?? [], body });
      }
    }
  }, 120_000);
  afterAll(async () => {
    await t.app.collection.idle();
    await t.close();
    restoreNetwork();
  });

  it(`sends ${RUNS} generated requests across every documented operation (seed ${SEED})`, async () => {
    expect(operations.length).toBeGreaterThan(60);
    const statuses = new Map<number, number>();
    const reached = new Set<string>();
    let sent = 0;
    let unsendable = 0;
    const arbitrary = fc.integer({ min: 0, max: operations.length - 1 }).chain((i) => requestFor(operations[i], fixtures, keys));
    try {
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ label, ...request }) => {
          let res;
          try {
            res = await t.app.inject(request);
          } catch (error) {
            // Header values Node would never put on the wire (control characters) cannot be sent at all.
            if ((error as { code?: string }).code === 'ERR_INVALID_CHAR') {
              unsendable += 1;
              return;
            }
            throw error;
          }
          sent += 1;
          reached.add(label);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const context = `${request.method} ${request.url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, context).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const body = JSON.parse(res.body);
            expect(Object.keys(body).sort(), context).toEqual(['code', 'error']);
            expect(body.code, context).toBe(res.statusCode);
            expect(typeof body.error === 'string' && body.error.length > 0, context).toBe(true);
          }
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } finally {
      const summary = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
      console.log(
        `fuzz (${storeName}): ${sent} requests over ${reached.size}/${operations.length} operations; statuses ${summary}; ` +
          `500s: ${statuses.get(500) ?? 0}; ${unsendable} not sendable (control characters in a header). Reproduce: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npx vitest run test/fuzz.test.ts`,
      );
    }
    // The server is still whole afterwards, and nothing it did reached beyond this machine.
    expect((await t.call('/healthz', { key: null })).statusCode).toBe(200);
    for (const upstream of ['POST /v1/servers', 'POST /v1/servers/test', 'POST /v1/accounts/{account_id}/servers/test']) expect(reached).toContain(upstream);
    await t.app.collection.idle();
    console.log(`fuzz (${storeName}): ${traffic.resolved} host names resolved to the local sink, ${traffic.connects} outgoing sockets, ${traffic.offMachine.length} off this machine`);
    expect(traffic.offMachine).toEqual([]);
  }, 600_000);
});
