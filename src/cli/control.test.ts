// The CLI's side of the control socket: the server's exit code, nobody listening, and a server that dies mid-command.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRemote } from './control.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-control-'));
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function serveOn(name: string, handler: http.RequestListener): Promise<string> {
  const socketPath = path.join(dir, name);
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return socketPath;
}

async function remote(socketPath: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRemote(socketPath, 'collect', [], (t) => out.push(t), (m) => err.push(m));
  return { code, out: out.join(''), err };
}

describe('runRemote', () => {
  it("returns the server's exit code and passes its lines through", async () => {
    const socketPath = await serveOn('ok.sock', (req, res) => {
      req.resume();
      req.on('end', () => res.end('collection run x: 2 feed(s)\nsucceeded: 2/2 feeds\n\u0000exit:0\n'));
    });
    expect(await remote(socketPath)).toEqual({ code: 0, out: 'collection run x: 2 feed(s)\nsucceeded: 2/2 feeds\n', err: [] });
  });

  it('answers null when no server listens, so the command runs on the store itself', async () => {
    expect((await remote(path.join(dir, 'nobody.sock'))).code).toBeNull();
  });

  it('fails (1), saying so, when the server dies after starting the command — never 0, never a second local run', async () => {
    const socketPath = await serveOn('dies.sock', (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('collection run x: 2 feed(s)\n', () => res.socket?.destroy());
      });
    });
    const r = await remote(socketPath);
    expect(r.code).toBe(1);
    expect(r.out).toBe('collection run x: 2 feed(s)\n');
    expect(r.err.join()).toMatch(/server stopped before collect finished/);
  });
});
