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

  it('accepts loopback, and ignores X-Forwarded-Proto from a client that is not a trusted proxy', async () => {
    expect((await t.call('/v1/account')).statusCode).toBe(200);
    const spoofed = await fromOutside({ 'x-forwarded-proto': 'https' });
    expect(spoofed.statusCode).toBe(400);
    expect(JSON.parse(spoofed.body).error).toContain('HTTPS is required');
  });

  it('believes X-Forwarded-Proto and -For only from CANOPY_TRUSTED_PROXIES', async () => {
    const app = await buildApp({
      db: t.db, config: loadConfig({ CANOPY_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1' }), clock: t.clock.read,
    });
    const via = (remoteAddress: string, headers: Record<string, string>) =>
      app.inject({ method: 'GET', url: '/v1/account', remoteAddress, headers: { authorization: `Bearer ${t.rootKey}`, ...headers } });
    // A proxy in the list that terminated TLS: accepted.
    expect((await via('10.1.2.3', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(200);
    // The same headers from an address outside the list: plain HTTP from the internet.
    expect((await via('203.0.113.7', { 'x-forwarded-proto': 'https' })).statusCode).toBe(400);
    // A local proxy forwarding plain HTTP for a remote client: the client is remote, so HTTPS is required.
    expect((await via('127.0.0.1', { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.9' })).statusCode).toBe(400);
    await app.close();
  });

  it('refuses CANOPY_TRUSTED_PROXIES that are not addresses or ranges', () => {
    expect(() => loadConfig({ CANOPY_TRUSTED_PROXIES: '10.0.0.0/8,proxy.example' })).toThrow(/CANOPY_TRUSTED_PROXIES/);
    expect(() => loadConfig({ CANOPY_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/CANOPY_TRUSTED_PROXIES/);
    expect(loadConfig({ CANOPY_TRUSTED_PROXIES: 'loopback, ::1, 192.168.0.0/16' }).edge.trustedProxies).toEqual(['loopback', '::1', '192.168.0.0/16']);
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

  it('never writes the Host header into certificate links, password links or Link headers', async () => {
    const customer = await t.account('Host customer');
    const transaction = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 100 } });
    const evil = { host: 'evil.example', 'x-forwarded-host': 'evil.example' };
    const certificate = await t.json(`/v1/certificates/${transaction.id}`, { key: customer.key, headers: evil });
    expect(certificate.url).toBe(`http://localhost:3000/certificates/${transaction.id}`);
    expect(certificate.pdf_url).toBe(`http://localhost:3000/certificates/${transaction.id}.pdf`);
    for (const pages of [1, 2]) await t.json('/v1/deposits', { method: 'POST', key: customer.key, body: { pages } });
    const list = await t.call('/v1/deposits?limit=1', { key: customer.key, headers: evil });
    expect(list.headers.link).toBe('<http://localhost:3000/v1/deposits?limit=1&page=2>; rel="next"');
    const page = await t.app.inject({ method: 'GET', url: `/certificates/${transaction.id}`, headers: evil });
    expect(page.body).not.toContain('evil.example');
    const user = await t.json('/v1/users', { method: 'POST', key: customer.key, body: { email: 'host@example.com' } });
    const link = await t.json(`/v1/users/${user.id}/password-link`, { method: 'POST', key: customer.key, headers: evil });
    expect(link.url).toMatch(/^http:\/\/localhost:3000\//);

    // With CANOPY_PUBLIC_URL, that origin; listening, the listening address.
    const configured = await buildApp({ db: t.db, config: loadConfig({ CANOPY_PUBLIC_URL: 'https://canopy.example.com/' }), clock: t.clock.read });
    const res = await configured.inject({ method: 'GET', url: `/v1/certificates/${transaction.id}`, headers: { authorization: `Bearer ${customer.key}`, ...evil } });
    expect(JSON.parse(res.body).url).toBe(`https://canopy.example.com/certificates/${transaction.id}`);
    await configured.close();
    const listening = await buildApp({ db: t.db, config: t.config, clock: t.clock.read });
    const address = await listening.listen({ port: 0, host: '127.0.0.1' });
    const viaSocket = await fetch(`${address}/v1/certificates/${transaction.id}`, { headers: { authorization: `Bearer ${customer.key}` } });
    expect(((await viaSocket.json()) as { url: string }).url).toBe(`${address}/certificates/${transaction.id}`);
    await listening.close();
  });
});
