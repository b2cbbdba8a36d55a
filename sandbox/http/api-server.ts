// One simulated API on its own port: routing, fault injection, request counting and the shared /__sandbox control routes.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector } from '../faults.ts';
import { RequestStats } from '../stats.ts';
import type { World } from '../world/world.ts';
import { json, match, route, type Handler, type Reply, type RequestContext, type Route } from './router.ts';

const MAX_BODY = 1_000_000;

export interface ApiServerOptions {
  name: string;
  world: World;
  routes: Route[];
  /** Extra control routes under `/__sandbox/` (truth, facts). Never faulted, never counted. */
  controlRoutes?: Route[];
  faults: FaultInjector;
  /** Reply for errors the server itself answers (unknown path, wrong method, injected faults), in the API's current style. */
  errorReply: (status: number, message: string, headers?: Record<string, string>) => Reply;
}

export interface ApiServer {
  server: Server;
  url: string;
  faults: FaultInjector;
  stats: RequestStats;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new RangeError('body: larger than 1 MB'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Writes a reply; `truncate` sends its headers (with the full length) and part of its body, then destroys the connection. */
function send(res: ServerResponse, reply: Reply, truncate = false): void {
  if (res.destroyed || res.headersSent) return;
  const text = Buffer.from(reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)), 'utf8');
  const headers: Record<string, string | number> = {
    'content-type': reply.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': text.length,
    ...reply.headers,
  };
  res.writeHead(reply.status, headers);
  if (!truncate) {
    res.end(text);
    return;
  }
  // Half the body at most (at least a byte when there is one), flushed, then the socket goes: the client
  // has a status and a partial body and must not take it for a whole answer.
  res.write(text.subarray(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
}

/** Control routes every simulator has: faults, stats, variants and the world clock. */
function commonControlRoutes(world: World, faults: FaultInjector, stats: RequestStats): Route[] {
  const parse = async (ctx: RequestContext): Promise<unknown> => {
    const text = await ctx.body();
    try {
      return text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new RangeError('body: not valid JSON');
    }
  };
  const guarded = (h: Handler): Handler => async (ctx) => {
    try {
      return await h(ctx);
    } catch (e) {
      if (e instanceof RangeError) return json(400, { error: e.message });
      throw e;
    }
  };
  return [
    route('GET', '/__sandbox/faults', () => json(200, faults.settings)),
    route('POST', '/__sandbox/faults', guarded(async (ctx) => json(200, faults.update(await parse(ctx))))),
    route('DELETE', '/__sandbox/faults', () => json(200, faults.reset())),
    route('GET', '/__sandbox/stats', () => json(200, stats.snapshot())),
    route('DELETE', '/__sandbox/stats', () => json(200, stats.reset())),
    route('GET', '/__sandbox/variants', () => json(200, world.variants.settings)),
    route('POST', '/__sandbox/variants', guarded(async (ctx) => json(200, world.variants.update(await parse(ctx))))),
    route('DELETE', '/__sandbox/variants', () => json(200, world.variants.reset())),
    route('GET', '/__sandbox/clock', () => json(200, { now: new Date(world.now()).toISOString() })),
    route('POST', '/__sandbox/clock', guarded(async (ctx) => {
      const body = (await parse(ctx)) as Record<string, unknown>;
      if (typeof body.now === 'string' && !Number.isNaN(Date.parse(body.now))) world.setNow(Date.parse(body.now));
      else if (typeof body.advanceSeconds === 'number' && Number.isFinite(body.advanceSeconds)) world.setNow(world.now() + body.advanceSeconds * 1000);
      else if (body.now === null) world.setNow(() => Date.now());
      else throw new RangeError('now: give an ISO instant, null for the real clock, or advanceSeconds');
      return json(200, { now: new Date(world.now()).toISOString() });
    })),
  ];
}

export async function startApiServer(opts: ApiServerOptions, port: number): Promise<ApiServer> {
  const { world, faults } = opts;
  const stats = new RequestStats(() => world.now());
  const control = [...commonControlRoutes(world, faults, stats), ...(opts.controlRoutes ?? [])];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let url = '';

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const parsed = new URL(req.url ?? '/', 'http://sandbox');
    const path = parsed.pathname;
    let bodyPromise: Promise<string> | undefined;
    const ctx = (params: Record<string, string>): RequestContext => ({
      method,
      path,
      query: parsed.searchParams,
      headers: req.headers,
      params,
      baseUrl: url,
      faults: faults.settings,
      body: () => (bodyPromise ??= readBody(req)),
    });

    if (path.startsWith('/__sandbox/')) {
      const { found, allowed } = match(control, method, path);
      if (!found) {
        send(res, json(allowed.length ? 405 : 404, { error: allowed.length ? `method not allowed (use ${allowed.join(', ')})` : `no such control route: ${path}` }));
        return;
      }
      send(res, await found.route.handler(ctx(found.params)));
      return;
    }

    const { found, allowed } = match(opts.routes, method, path);
    const key = found ? `${method} ${found.route.template}` : `${method} (unmatched)`;
    const decision = faults.decide(world.now());
    if (decision.kind === 'reset') {
      stats.record(key, 'reset');
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'hang') {
      stats.record(key, 'hang');
      return; // Never answered: the client must time out; close() destroys the socket.
    }
    await wait(decision.delayMs);
    if (res.destroyed) return;
    let reply: Reply;
    if (decision.kind === 'status') {
      reply = opts.errorReply(decision.status, decision.status === 429 ? 'Too Many Requests' : 'Service temporarily unavailable', decision.headers);
    } else if (!found) {
      reply = allowed.length
        ? opts.errorReply(405, `method not allowed (use ${allowed.join(', ')})`, { allow: allowed.join(', ') })
        : opts.errorReply(404, `not found: ${path}`);
    } else {
      reply = await found.route.handler(ctx(found.params));
    }
    if (decision.kind === 'truncate') {
      stats.record(key, 'truncated');
      send(res, reply, true);
      return;
    }
    stats.record(key, reply.status);
    send(res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`sandbox ${opts.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      send(res, opts.errorReply(500, 'internal error'));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    server,
    url,
    faults,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
