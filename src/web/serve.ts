// Serves the dashboard: its built assets under /assets/ and its pages' HTML at /, on the API's port.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `npm run build:web` (run by `npm install`) writes the bundle. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** The dashboard's pages: each answers with the same HTML and the page's script picks what to show. */
export const PAGE_PATHS = ['/', '/sign-in', '/set-password', '/accounts', '/integrations', '/imports', '/customer', '/users', '/webhooks', '/notifications', '/forgot-password'] as const;

// The set-password token travels in the URL: no Referer may carry it away. Scripts and styles come
// from this origin only (the bundle has no inline script).
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Canopy</title>
<p>The dashboard has not been built. Run <code>npm install</code> (or <code>npm run build:web</code>) and restart Canopy.
The API is at <a href="/docs">/docs</a>.</p></html>`;

export async function webPlugin(app: FastifyInstance, opts: { dist?: string } = {}): Promise<void> {
  const dist = opts.dist ?? WEB_DIST;
  const indexFile = path.join(dist, 'index.html');
  const assets = path.join(dist, 'assets');
  let html: string | null = null;
  const page = async (_request: unknown, reply: FastifyReply) => {
    // Read once it exists, so a build made while the server runs is picked up without a restart.
    html ??= fs.existsSync(indexFile) ? fs.readFileSync(indexFile, 'utf8') : null;
    reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8');
    if (html === null) return reply.code(503).send(NOT_BUILT);
    return reply.send(html);
  };
  for (const url of PAGE_PATHS) app.get(url, { schema: { hide: true } }, page);
  if (!fs.existsSync(assets)) return;
  await app.register(fastifyStatic, {
    root: assets,
    prefix: '/assets/',
    decorateReply: false,
    // File names carry a content hash: a browser may keep them for a year.
    immutable: true,
    maxAge: '365d',
    // The build writes .br and .gz beside each asset (vite.config.ts): sent when the browser accepts them.
    preCompressed: true,
  });
}
