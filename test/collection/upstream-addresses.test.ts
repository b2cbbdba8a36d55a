// The address rule holds at every connection: servers saved while private upstreams were allowed are refused
// once a restart drops the flag (plain http too), and every IPv6 form of an inside address is refused at save.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { HOSTILE_CUSTOMER, HOSTILE_DEALER, HOSTILE_KEY } from '../../sandbox/hostile-printtracker.ts';
import { createTestApp, storeName, TestClock, type TestApp } from '../helpers/harness.ts';
import { COLLECTION_ENV } from './helpers.ts';

describe(`upstream addresses at connect time (${storeName})`, () => {
  let t: TestApp;
  let restarted: FastifyInstance;
  let listener: net.Server;
  let port: number;
  let connections = 0;
  let dealer: { id: string; key: string };
  const servers: Record<string, string> = {};

  beforeAll(async () => {
    // Anything that connects is counted; nothing here speaks HTTP or TLS.
    listener = net.createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
    port = (listener.address() as net.AddressInfo).port;
    const clock = new TestClock('2025-03-05T02:00:00Z');
    t = await createTestApp({ clock, env: { ...COLLECTION_ENV, CANOPY_UPSTREAM_ATTEMPTS: '1' } });
    dealer = await t.account('Dealer with inside servers');
    for (const url of [`http://127.0.0.1:${port}`, `https://127.0.0.1:${port}`, `https://[::1]:${port}`]) {
      const server = await t.json('/v1/servers', { method: 'POST', key: dealer.key, body: { type: 'printtracker', url, username: HOSTILE_DEALER, password: HOSTILE_KEY } });
      servers[url] = server.id;
    }
    await t.app.collection.idle();
    // The same store after a restart without CANOPY_ALLOW_PRIVATE_UPSTREAMS.
    restarted = await buildApp({
      db: t.db, clock: clock.read,
      config: loadConfig({
        CANOPY_BOOTSTRAP_KEY: t.rootKey, CANOPY_DATA_DIR: '/nonexistent', CANOPY_UPSTREAM_ATTEMPTS: '1',
        CANOPY_SECRET_KEY: t.config.collection.secretKey!.toString('hex'),
      }),
    });
    await restarted.ready();
  });
  afterAll(async () => {
    await restarted?.collection.idle();
    await restarted?.close();
    await t?.close();
    await new Promise((resolve) => listener?.close(resolve));
  });

  const call = (app: FastifyInstance, method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${dealer.key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, payload: body ? JSON.stringify(body) : undefined });

  it('connects to them while private upstreams are allowed (the listener counts connections)', async () => {
    const before = connections;
    const res = await call(t.app, 'POST', `/v1/servers/${servers[`http://127.0.0.1:${port}`]}/test`);
    expect(JSON.parse(res.body).result).not.toBe('refused_address');
    expect(connections).toBeGreaterThan(before);
  });

  it.each([
    ['http://127.0.0.1', /http:\/\/127\.0\.0\.1 is not https/],
    ['https://127.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['https://[::1]', /::1 is a loopback/],
  ])('refuses %s at connect time after a restart without the flag, opening no connection', async (base, message) => {
    const before = connections;
    const res = await call(restarted, 'POST', `/v1/servers/${servers[`${base}:${port}`]}/test`);
    expect(res.statusCode).toBe(200);
    const test = JSON.parse(res.body);
    expect(test).toMatchObject({ ok: false, result: 'refused_address' });
    expect(test.message).toMatch(message);
    expect(connections).toBe(before);
  });

  it('collects nothing from a plain-http server saved while allowed: the run is refused, no connection opened', async () => {
    const customer = await t.account('Inside customer', { key: dealer.key });
    await t.json(`/v1/accounts/${customer.id}/feeds`, {
      method: 'POST', key: dealer.key, body: { server_id: servers[`http://127.0.0.1:${port}`], external_id: HOSTILE_CUSTOMER, activated_at: '2025-03-01' },
    });
    await t.app.collection.idle();
    const before = connections;
    const run = await call(restarted, 'POST', '/v1/collection-runs', {});
    expect(run.statusCode).toBe(202);
    await restarted.collection.idle();
    const done = JSON.parse((await call(restarted, 'GET', `/v1/collection-runs/${JSON.parse(run.body).id}`)).body);
    expect(done.feeds_done).toBe(done.feeds_total);
    expect(done.error_messages.join('\n')).toMatch(/not https/);
    const [server] = await t.db.query<{ health_check: string; health_check_message: string }>(
      `SELECT health_check, health_check_message FROM servers WHERE id = $1`, [servers[`http://127.0.0.1:${port}`]],
    );
    expect(server.health_check).toBe('unhealthy');
    expect(server.health_check_message).toMatch(/not https/);
    expect(connections).toBe(before);
  });

  it.each([
    'https://[::127.0.0.1]', 'https://[::ffff:127.0.0.1]', 'https://[::ffff:0:127.0.0.1]', 'https://[2002:7f00:1::]',
    'https://[64:ff9b::7f00:1]', 'https://[2001:0:7f00:1::]', 'https://[::ffff:169.254.169.254]', 'https://[2002:a9fe:a9fe::]',
  ])('refuses %s at save time with a 400 naming the rule', async (url) => {
    const res = await call(restarted, 'POST', '/v1/servers/test', { type: 'printtracker', url, username: HOSTILE_DEALER, password: HOSTILE_KEY });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error).toMatch(/url resolves to .*loopback, private, link-local or metadata/);
  });
});
