// Slow clients over real sockets: trickled headers, a trickled declared body and an idle kept-alive
// connection are cut off by the server, which answers everyone else meanwhile; one address may hold only
// so many connections. The timeouts are small here (seconds); every wait is for an event (close, an answer).
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadSlowClientLimits } from '../src/http/slow-clients.ts';
import { ConfigError } from '../src/config.ts';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

interface Held {
  socket: net.Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
}

function connect(port: number): Promise<Held> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    const closed = new Promise<string>((done) => socket.on('close', () => done(text)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Writes `chunk` every `everyMs` until the server closes the socket (a client that never finishes). */
function trickle(held: Held, chunk: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (!held.socket.destroyed && held.socket.writable) held.socket.write(chunk);
  }, everyMs);
  held.socket.on('close', () => clearInterval(timer));
  held.socket.on('error', () => clearInterval(timer));
}

const statusOf = (raw: string) => raw.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? null;

describe(`slow clients are cut off; one address holds a bounded number of connections (${storeName})`, () => {
  let t: TestApp;
  let key: string;
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    key = (await t.account('Slow client dealer')).key;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await t.close();
  });

  async function listen(env: Record<string, string>): Promise<number> {
    const config = { ...t.config, edge: { ...t.config.edge, slowClients: loadSlowClientLimits(env) } };
    const app = await buildApp({ db: t.db, config, clock: t.clock.read });
    apps.push(app);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    return Number(new URL(address).port);
  }

  const healthy = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  it('closes a connection that trickles its headers, a declared body or idles after its answer, and answers others meanwhile', async () => {
    const port = await listen({
      // Small enough to wait for, large enough that an ordinary request on a busy machine is never cut.
      CANOPY_HTTP_HEADERS_TIMEOUT_MS: '2000', CANOPY_HTTP_REQUEST_TIMEOUT_MS: '4000', CANOPY_HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
    });
    // Headers that never end: one more header line every 50 ms.
    const headers = await connect(port);
    headers.socket.write('GET /v1/account HTTP/1.1\r\nHost: x\r\n');
    trickle(headers, 'X-Slow: 1\r\n', 50);
    // A valid key, a declared body of 100,000 bytes sent a byte every 50 ms.
    const body = await connect(port);
    body.socket.write(`POST /v1/deposits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    trickle(body, ' ', 50);
    // A finished request on a kept-alive connection, then silence.
    const idle = await connect(port);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');

    // While they are held, the server answers.
    expect(await healthy(port)).toBe(200);

    const [headersRaw, bodyRaw, idleRaw] = await Promise.all([headers.closed, body.closed, idle.closed]);
    expect(statusOf(headersRaw)).toBe('408');
    expect(statusOf(bodyRaw)).toBe('408');
    expect(statusOf(idleRaw)).toBe('200'); // answered, then closed for idling
    expect(await healthy(port)).toBe(200);
    // The trickled body stored nothing.
    expect(await t.json('/v1/deposits', { key })).toEqual([]);
  }, 30_000);

  it('refuses connections from one address beyond the cap with a 429, and admits again once one closes', async () => {
    const port = await listen({ CANOPY_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '3' });
    const held: Held[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await connect(port);
      // An answered request proves the server counted the connection before the next one opens.
      const answered = new Promise<void>((resolve) => c.socket.once('data', () => resolve()));
      c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await answered;
      held.push(c);
    }
    const refused = await connect(port);
    refused.socket.write(`GET /v1/account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`);
    const raw = await refused.closed;
    expect(statusOf(raw)).toBe('429');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      code: 429, error: 'too many open connections from this address (CANOPY_HTTP_MAX_CONNECTIONS_PER_ADDRESS): close some and try again',
    });
    // One closes: the server sees it go, and the address may connect again.
    held[0].socket.destroy();
    await held[0].closed;
    let status = 429;
    while (status === 429) status = await healthy(port).catch(() => 429); // until the server has seen the close
    expect(status).toBe(200);
    for (const c of held.slice(1)) c.socket.destroy();
  }, 30_000);

  it('takes its bounds from the configuration, refusing nonsense', () => {
    expect(loadSlowClientLimits({})).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 72_000, maxConnectionsPerAddress: 128 });
    expect(() => loadSlowClientLimits({ CANOPY_HTTP_HEADERS_TIMEOUT_MS: '20000', CANOPY_HTTP_REQUEST_TIMEOUT_MS: '10000' })).toThrow(ConfigError);
    expect(() => loadSlowClientLimits({ CANOPY_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0' })).toThrow('CANOPY_HTTP_MAX_CONNECTIONS_PER_ADDRESS must be an integer from 1 to 1000000, got "0"');
  });
});
