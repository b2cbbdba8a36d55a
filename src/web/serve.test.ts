import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { PAGE_PATHS, webPlugin } from './serve.ts';

function fakeBuild(): string {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-web-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Canopy</title><script type="module" src="/assets/app-abc123.js"></script>');
  const js = 'console.log("dashboard");'.repeat(50);
  fs.writeFileSync(path.join(dist, 'assets', 'app-abc123.js'), js);
  fs.writeFileSync(path.join(dist, 'assets', 'app-abc123.js.br'), zlib.brotliCompressSync(js));
  return dist;
}

describe('dashboard serving', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('answers every page path with the app, under a strict CSP and no Referer', async () => {
    const dist = fakeBuild();
    dirs.push(dist);
    const app = Fastify();
    await app.register(webPlugin, { dist });
    for (const url of PAGE_PATHS) {
      const res = await app.inject({ url: `${url}?account=x` });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('app-abc123.js');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    expect((await app.inject({ url: '/no-such-page' })).statusCode).toBe(404);
    await app.close();
  });

  it('sends hashed assets compressed when the browser accepts it, cached for a year', async () => {
    const dist = fakeBuild();
    dirs.push(dist);
    const app = Fastify();
    await app.register(webPlugin, { dist });
    const res = await app.inject({ url: '/assets/app-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect(zlib.brotliDecompressSync(res.rawPayload).toString()).toContain('dashboard');
    await app.close();
  });

  it('says how to build the dashboard when it has not been built', async () => {
    const app = Fastify();
    await app.register(webPlugin, { dist: path.join(os.tmpdir(), 'canopy-no-such-build') });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    await app.close();
  });
});
