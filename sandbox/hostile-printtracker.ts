// A hostile Print Tracker: answers built to hurt a collector (huge or deep entity trees, floods of meter reads,
// a trickle, redirects inside, fleets rising just under every per-device limit). Used by tests and bench:hostile.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const HOSTILE_DEALER = 'dea1e7000000000000000001';
export const HOSTILE_CUSTOMER = 'c057000000000000000000aa';
export const HOSTILE_KEY = '0b5e55ed-0000-4000-8000-000000000013';

export type HostileMode =
  /** a small, well-formed tree and quiet meters */
  | { kind: 'normal' }
  /** the dealer's tree nests `depth` levels (one child each) */
  | { kind: 'deep'; depth: number }
  /** the dealer's tree lists `children` customers (streamed: 200 MB is ~4 million) */
  | { kind: 'huge-tree'; children: number; compact?: boolean }
  /** /meter answers `reads` reads, whatever the range (streamed) */
  | { kind: 'many-readings'; reads: number }
  /** every answer is sent `bytesPerTick` bytes every `tickMs` */
  | { kind: 'trickle'; bytesPerTick: number; tickMs: number }
  /** every answer is a redirect to `location` */
  | { kind: 'redirect'; location: string }
  /** `devices` devices, each read at noon every day, rising `perDay` pages a day */
  | { kind: 'fleet'; devices: number; perDay: number };

export interface HostileServer {
  url: string;
  server: Server;
  /** requests and TCP connections received, per kind */
  stats: { requests: number; connections: number; meterRequests: number };
  setMode(mode: HostileMode): void;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Writes pieces with backpressure, stopping when the client goes away. */
async function stream(res: ServerResponse, pieces: Iterable<string>): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  let batch = '';
  for (const piece of pieces) {
    if (res.destroyed) return;
    batch += piece;
    if (batch.length < 64 * 1024) continue;
    const ok = res.write(batch);
    batch = '';
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end(batch);
}

function* deepTree(depth: number): Generator<string> {
  yield `{"id":"${HOSTILE_DEALER}","name":"Deep dealer","children":[`;
  for (let i = 0; i < depth; i++) yield `{"id":"e${i}","name":"level ${i}","children":[`;
  for (let i = 0; i < depth; i++) yield ']}';
  yield ']}';
}

function* hugeTree(children: number, compact: boolean): Generator<string> {
  yield `{"id":"${HOSTILE_DEALER}","name":"Huge dealer","genealogy":[],"addresses":[],"children":[`;
  const name = compact ? '' : ',"name":"Customer of a dealer that never ends"';
  for (let i = 0; i < children; i++) yield `${i ? ',' : ''}{"id":"${i.toString(16).padStart(24, '0')}"${name}}`;
  yield ']}';
}

const read = (i: number, device: string, at: number, count: number) =>
  `{"id":"r${i}-${at}","entityKey":"${HOSTILE_CUSTOMER}","installKey":"i1","deviceKey":"${device}","timestamp":"${new Date(at).toISOString()}",` +
  `"pageCounts":{"default":{"total":{"displayName":"Total","value":"${count}"}},"life":{"total":{"displayName":"Total","value":"${count}"}}},"supplies":{}}`;

function* manyReads(reads: number, start: number): Generator<string> {
  yield '[';
  for (let i = 0; i < reads; i++) yield `${i ? ',' : ''}${read(i, `d${i % 5000}`, start + (i % 86_400) * 1000, 1000 + i)}`;
  yield ']';
}

function* fleetReads(devices: number, perDay: number, from: number, to: number): Generator<string> {
  yield '[';
  let first = true;
  for (let day = Math.floor(from / DAY_MS); day * DAY_MS <= to; day++) {
    const at = day * DAY_MS + DAY_MS / 2;
    if (at < from || at > to) continue;
    for (let d = 0; d < devices; d++) {
      yield `${first ? '' : ','}${read(d, `dev${d}`, at, 1_000_000 + (day - 19_000) * perDay)}`;
      first = false;
    }
  }
  yield ']';
}

export async function startHostilePrintTracker(options: { host?: string; port?: number } = {}): Promise<HostileServer> {
  let mode: HostileMode = { kind: 'normal' };
  const stats = { requests: 0, connections: 0, meterRequests: 0 };
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hostile');
    if (url.pathname === '/__hostile/mode' && req.method === 'POST') {
      // The control route (bench:hostile runs the server in a process of its own): the next answers' mode.
      let text = '';
      for await (const chunk of req) text += chunk;
      mode = JSON.parse(text) as HostileMode;
      res.writeHead(204).end();
      return;
    }
    stats.requests += 1;
    if (req.headers['x-api-key'] !== HOSTILE_KEY) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"unauthorized"}');
      return;
    }
    if (mode.kind === 'redirect') {
      res.writeHead(302, { location: mode.location }).end();
      return;
    }
    if (mode.kind === 'trickle') {
      const { bytesPerTick, tickMs } = mode;
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = `{"id":"${HOSTILE_DEALER}","name":"${'slow '.repeat(2000)}","children":[]}`;
      for (let i = 0; i < body.length && !res.destroyed; i += bytesPerTick) {
        res.write(body.slice(i, i + bytesPerTick));
        await new Promise((resolve) => setTimeout(resolve, tickMs));
      }
      if (!res.destroyed) res.end();
      return;
    }
    const path = url.pathname;
    const entity = /^\/v1\/entity\/([^/]+)$/.exec(path);
    if (entity) {
      if (mode.kind === 'deep') return stream(res, deepTree(mode.depth));
      if (mode.kind === 'huge-tree') return stream(res, hugeTree(mode.children, mode.compact ?? false));
      const body = entity[1] === HOSTILE_DEALER
        ? { id: HOSTILE_DEALER, name: 'Hostile dealer', genealogy: [], addresses: [], children: [{ id: HOSTILE_CUSTOMER, name: 'Customer' }] }
        : { id: entity[1], name: 'Customer', genealogy: [HOSTILE_DEALER], addresses: [], children: [] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (/^\/v1\/entity\/[^/]+\/meter$/.test(path)) {
      stats.meterRequests += 1;
      const from = Date.parse(url.searchParams.get('start') ?? '');
      const to = Date.parse(url.searchParams.get('end') ?? '');
      if (mode.kind === 'many-readings') return stream(res, manyReads(mode.reads, from));
      if (mode.kind === 'fleet') return stream(res, fleetReads(mode.devices, mode.perDay, from, to));
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      return;
    }
    if (/\/meter\/mostRecentPriorTo$/.test(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no read"}');
      return;
    }
    if (/^\/v1\/entity\/[^/]+\/device$/.test(path)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    stats,
    setMode(next) {
      mode = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// `node sandbox/hostile-printtracker.ts` serves it alone and prints its URL (for bench:hostile).
if (import.meta.url === `file://${process.argv[1]}`) {
  const hostile = await startHostilePrintTracker();
  console.log(hostile.url);
  process.on('SIGTERM', () => void hostile.close().then(() => process.exit(0)));
  process.on('disconnect', () => void hostile.close().then(() => process.exit(0)));
}
