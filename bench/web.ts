// Benchmark: the dashboard's first page (the overview, signed in) in Debian's Chromium: bytes transferred
// and time to interactive, cold (empty cache) and warm, beside the server-rendered certificate page.
// Run: npm run bench:web        (needs `npm install` to have built dist/web, and /usr/bin/chromium)
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildApp } from '../src/app.ts';
import { benchStore, channelWithCustomers } from './lib.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, customers: { type: 'string', default: '50' } } });
const runs = Number(values.runs);

const store = await benchStore();
const channel = await channelWithCustomers(store, Number(values.customers));
const app = await buildApp({ db: store.db, config: store.config, clock: () => new Date() });
const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { authorization: `Bearer ${channel.key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

// A year of deposits on a few customers, a certificate, and a signed-in dealer user.
const now = new Date();
for (const id of channel.customerIds.slice(0, 5)) {
  for (let m = 0; m < 12; m++) {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - m, 3)).toISOString().slice(0, 10);
    await call('POST', `/v1/accounts/${id}/deposits`, { pages: 10_000 + m * 700, date: day });
  }
}
const transaction = (await (await call('POST', `/v1/accounts/${channel.customerIds[0]}/transactions`, { pages: 20_000 })).json()) as { certificate_id: string };
const user = (await (await call('POST', '/v1/users', { email: `bench-${crypto.randomBytes(3).toString('hex')}@example.com` })).json()) as { id: string; email: string };
const link = (await (await call('POST', `/v1/users/${user.id}/password-link`)).json()) as { url: string };
const setPassword = await fetch(`${base}/auth/password`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ token: new URL(link.url).searchParams.get('token'), password: 'bench password 1' }),
});
if (!setPassword.ok) throw new Error(`set password: ${setPassword.status}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

interface Measure { bytes: number; assetBytes: number; apiBytes: number; requests: number; tti: number }

/** Loads url and waits until `ready` holds and the main thread is idle; counts encoded bytes off the wire. */
async function measure(context: BrowserContext, page: Page, url: string, ready: string): Promise<Measure> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  let bytes = 0, assetBytes = 0, apiBytes = 0, requests = 0;
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => {
    const u = urls.get(e.requestId) ?? '';
    bytes += e.encodedDataLength;
    requests++;
    if (/\/(v1|auth)\//.test(u)) apiBytes += e.encodedDataLength;
    else assetBytes += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(ready, { state: 'attached' });
  // Milliseconds since navigation start once the main thread is next idle (evaluated in the page).
  const tti = await page.evaluate<number>('new Promise((resolve) => requestIdleCallback(() => resolve(performance.now()), { timeout: 5000 }))');
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return { bytes, assetBytes, apiBytes, requests, tti };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function series(label: string, url: string, ready: string, warm: boolean) {
  const results: Measure[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    // Signed in through the context's own request client, so the browser holds the session cookie.
    const signIn = await context.request.post(`${base}/auth/sign-in`, { data: { email: user.email, password: 'bench password 1' } });
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
    const page = await context.newPage();
    if (warm) await measure(context, page, url, ready);
    results.push(await measure(context, page, url, ready));
    await context.close();
  }
  const m = (k: keyof Measure) => median(results.map((r) => r[k]));
  console.log(
    `${label.padEnd(44)} transfer ${kb(m('bytes')).padStart(10)} (assets ${kb(m('assetBytes'))}, API ${kb(m('apiBytes'))}, ${m('requests')} requests)  ` +
    `interactive ${m('tti').toFixed(0).padStart(4)} ms  (median of ${runs})`,
  );
}

console.log(`Chromium ${browser.version()}, loopback, store ${store.db.kind}; dealer with ${values.customers} customers, 12 months of deposits`);
await series('baseline: certificate page (server HTML)', `${base}/certificates/${transaction.certificate_id}`, 'footer', false);
await series('overview, first visit (empty cache)', `${base}/`, '[data-testid="chart"] canvas', false);
await series('overview, next visit (cached assets)', `${base}/`, '[data-testid="chart"] canvas', true);

await browser.close();
await app.close();
await store.close();
