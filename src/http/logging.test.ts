import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { buildApp } from '../app.ts';
import { loggerOptions, redactDatabaseMessage, redactUrl } from './logging.ts';

describe(`log lines hold no keys in URLs and no SQL values in errors (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  /** An app whose log lines are kept in `lines`. */
  async function loggedApp() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { app: await buildApp({ db: t.db, config: t.config, clock: t.clock.read, logger: loggerOptions('info', stream) }), lines };
  }

  it('redacts secret query parameters and the values PostgreSQL quotes in its messages', () => {
    expect(redactUrl('/v1/account?api_key=3f9a0000&limit=5')).toBe('/v1/account?api_key=[redacted]&limit=5');
    expect(redactUrl('/x?a=1&API_KEY=s&token=t&key=k#f')).toBe('/x?a=1&API_KEY=[redacted]&token=[redacted]&key=[redacted]#f');
    expect(redactUrl('/v1/deposits?page=2')).toBe('/v1/deposits?page=2');
    expect(redactDatabaseMessage('invalid input syntax for type integer: "alice@example.com"')).toBe(
      'invalid input syntax for type integer: [redacted]',
    );
    expect(redactDatabaseMessage('Key (lower(email))=(bob@example.com) already exists.')).toBe('Key (lower(email))=[redacted] already exists.');
  });

  it('a request with ?api_key= and a database error carrying an email leave neither in the log', async () => {
    const { app, lines } = await loggedApp();
    app.get('/boom', async () => {
      await t.db.query('SELECT $1::int AS n, $2::text AS name', ['alice@example.com', 'Alice Example']);
    });
    await app.ready();
    const secret = 'f00dfeed1234567890abcdef';
    await app.inject({ method: 'GET', url: `/v1/account?api_key=${secret}` });
    await app.inject({ method: 'GET', url: '/v1/account', headers: { authorization: `Bearer ${secret}` } });
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    await app.close();
    const log = lines.join('');
    expect(log).toContain('/v1/account?api_key=[redacted]');
    expect(log).toContain('unhandled error');
    expect(log).toContain('invalid input syntax for type integer');
    for (const leak of [secret, 'alice@example.com', 'Alice Example']) expect(log).not.toContain(leak);
  });

  it('logs a secret path segment as [redacted] by route pattern, on every route whose parameter is a secret', async () => {
    const { app, lines } = await loggedApp();
    await app.ready();
    // Any route whose path takes a token, secret or key: today the set-password link's.
    const secretRoutes = app.routeList.filter((r) => /:(token|secret|key|password)\b/i.test(r.url));
    expect(secretRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /auth/password-links/:token']);
    const secret = 'c0ffee-link-token-0123456789';
    for (const route of secretRoutes) {
      await app.inject({ method: route.method as 'GET', url: `${route.url.replace(/:\w+/, secret)}?token=${secret}&page=2` });
    }
    await app.close();
    const urls = lines.map((l) => JSON.parse(l).req?.url).filter(Boolean);
    expect(urls).toEqual(['/auth/password-links/[redacted]?token=[redacted]&page=2']);
    expect(lines.join('')).not.toContain(secret);
  });
});
