// The OpenAPI document is complete: every /v1 route, with its parameters, generated from the validating schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from './helpers/harness.ts';

describe(`OpenAPI document and docs (${storeName})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('lists every /v1 route with its method, summary and error responses', async () => {
    const doc = await t.json('/openapi.json', { key: null });
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { summary?: string; responses?: object }>>)) {
      for (const [method, op] of Object.entries(ops)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        if (path.startsWith('/v1/')) {
          expect(op.summary, `${method} ${path}`).toBeTruthy();
          expect(Object.keys(op.responses ?? {}), `${method} ${path}`).toContain('401');
        }
      }
    }
    const routes = t.app.routeList.filter((r) => r.url.startsWith('/v1/'));
    for (const r of routes) {
      const path = r.url.replace(/:([a-z_]+)/g, '{$1}');
      expect(documented.has(`${r.method} ${path}`), `${r.method} ${path}`).toBe(true);
    }
    expect(doc.paths['/v1/accounts/{account_id}/deposits'].post.parameters.map((p: { name: string }) => p.name)).toContain('account_id');
    expect(doc.components.securitySchemes).toHaveProperty('basic');
  });

  it('renders the reference for a person at /docs and answers /healthz without a key', async () => {
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    expect(await t.json('/healthz', { key: null })).toMatchObject({ status: 'ok' });
  });
});
