import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';

describe(`HTTPS rule (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  const fromOutside = (headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/v1/account', remoteAddress: '203.0.113.9', headers: { authorization: `Bearer ${t.rootKey}`, ...headers } });

  it('refuses plain HTTP from a non-loopback address with a clear 400', async () => {
    const res = await fromOutside();
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 400, error: expect.stringContaining('HTTPS is required') });
  });

  it('accepts requests a TLS-terminating proxy marks as https, and loopback', async () => {
    expect((await fromOutside({ 'x-forwarded-proto': 'https' })).statusCode).toBe(200);
    expect((await t.call('/v1/account')).statusCode).toBe(200);
  });

  it('accepts plain HTTP with CANOPY_ALLOW_HTTP=1', async () => {
    const app = await buildApp({ db: t.db, config: loadConfig({ CANOPY_ALLOW_HTTP: '1' }), clock: t.clock.read });
    const res = await app.inject({ method: 'GET', url: '/v1/account', remoteAddress: '203.0.113.9', headers: { authorization: `Bearer ${t.rootKey}` } });
    expect(res.statusCode).toBe(200);
    await app.close();
  });

  it('speaks TLS with CANOPY_TLS_CERT and CANOPY_TLS_KEY', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const app = await buildApp({
      db: t.db, config: loadConfig({ CANOPY_TLS_CERT: cert, CANOPY_TLS_KEY: key }), clock: t.clock.read,
      https: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) },
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    expect(address).toMatch(/^https:/);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${address}/v1/account`, { rejectUnauthorized: false, headers: { authorization: `Bearer ${t.rootKey}` } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(JSON.parse(body).id).toBe(t.rootAccountId);
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
