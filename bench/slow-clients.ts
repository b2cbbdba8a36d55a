// Benchmark: how long slow clients hold the HTTP server, and how many connections one address may hold.
// Opens --sockets connections of each kind — headers trickled a line a second, a declared 100 kB body
// trickled a byte a second with a valid key, a kept-alive connection left idle after one answer — and
// times each until the server closes it (or --give-up seconds pass), asking /healthz meanwhile; then
// opens cap + 50 silent connections from one address and counts those admitted.
// Run: npm run bench:slow-clients                 (the configured limits: CANOPY_HTTP_* or their defaults)
//      npm run bench:slow-clients -- --as-before  (no request timeout, Node's 60 s headers timeout checked every 30 s, no cap)
import net from 'node:net';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.ts';
import { loadSlowClientLimits } from '../src/http/slow-clients.ts';
import { createKey } from '../src/keys/api-keys.ts';
import { benchStore } from './lib.ts';

const { values } = parseArgs({
  options: { sockets: { type: 'string', default: '20' }, 'give-up': { type: 'string', default: '120' }, 'as-before': { type: 'boolean', default: false } },
});
const sockets = Number(values.sockets);
const giveUpMs = Number(values['give-up']) * 1000;

const store = await benchStore();
const limits = values['as-before']
  ? { headersTimeoutMs: 60_000, requestTimeoutMs: 0, keepAliveTimeoutMs: 72_000, maxConnectionsPerAddress: 1_000_000 }
  : loadSlowClientLimits(process.env);
const app = await buildApp({
  db: store.db, config: { ...store.config, edge: { ...store.config.edge, slowClients: limits } }, clock: () => new Date(),
});
if (values['as-before']) {
  // What the server did before: Fastify's defaults (no request timeout) and Node's 30 s check interval.
  app.server.requestTimeout = 0;
  app.server.headersTimeout = 60_000;
  (app.server as unknown as { connectionsCheckingInterval: number }).connectionsCheckingInterval = 30_000;
}
const port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
const key = (await createKey(store.db, store.rootId, 'bench')).key;

interface Timed { heldMs: number; closedByServer: boolean }

function hold(first: string, trickle: string | null): Promise<Timed> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(first));
    socket.resume(); // a client that reads what it is sent, so the server's close is seen
    const timer = trickle === null ? null : setInterval(() => socket.writable && socket.write(trickle), 1000);
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    let done = false;
    const finish = (byServer: boolean) => {
      if (done) return;
      done = true;
      if (timer) clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ heldMs: performance.now() - started, closedByServer: byServer });
    };
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

const kinds = {
  'headers trickled (a line a second)': () => hold('GET /v1/account HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'),
  'declared body trickled (a byte a second, valid key)': () =>
    hold(`POST /v1/deposits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`, ' '),
  'kept alive, idle after one answer': () => hold('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', null),
};

let worstHealthMs = 0;
let healthChecks = 0;
const probing = setInterval(async () => {
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
  if (res?.status === 200) {
    healthChecks += 1;
    worstHealthMs = Math.max(worstHealthMs, performance.now() - t0);
  }
}, 500);

console.log(`limits: ${JSON.stringify(limits)}; ${sockets} sockets of each kind; giving up after ${giveUpMs / 1000} s`);
const results = await Promise.all(Object.entries(kinds).map(async ([name, open]) => [name, await Promise.all(Array.from({ length: sockets }, open))] as const));
clearInterval(probing);
for (const [name, timed] of results) {
  const held = timed.map((x) => x.heldMs).sort((a, b) => a - b);
  const closed = timed.filter((x) => x.closedByServer).length;
  console.log(`${name}: held median ${(held[held.length >> 1] / 1000).toFixed(1)} s, max ${(held[held.length - 1] / 1000).toFixed(1)} s; closed by the server ${closed}/${timed.length}`);
}
console.log(`/healthz meanwhile: ${healthChecks} answers, worst ${worstHealthMs.toFixed(0)} ms`);

// The cap: silent connections from one address, then one request on a new one.
const cap = Math.min(limits.maxConnectionsPerAddress, 10_000);
const attempt = Math.min(cap, 1000) + 50;
let refused = 0;
const silent = await Promise.all(Array.from({ length: attempt }, () => new Promise<net.Socket>((resolve) => {
  const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
  socket.on('data', (chunk) => { if (String(chunk).startsWith('HTTP/1.1 429')) refused += 1; });
  socket.on('error', () => resolve(socket));
})));
await new Promise((r) => setTimeout(r, 1000)); // let the refusals arrive
console.log(`${attempt} silent connections from one address: ${attempt - refused} admitted, ${refused} refused (cap ${limits.maxConnectionsPerAddress}; the /healthz probe's kept-alive connection holds one more)`);
for (const s of silent) s.destroy();
await app.close();
await store.close();
