// `npm run demo`: the upstream sandbox and Canopy together, a dealer with Print Tracker, Pharos and Printix
// servers and named customer feeds activated 90 days back, backfilled, the past months closed into transactions
// and certificates, a project selected; prints where to look, how to sign in and how to point the CLI at it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../sandbox/server.ts';
import { loadConfig } from '../src/config.ts';
import { closeDueMonths } from '../src/ledger/month-close.ts';
import { startServer } from '../src/server.ts';
import { createPasswordLink, setPasswordWithLink } from '../src/sessions/password-links.ts';

const DAY = 86_400_000;
const PASSWORD = 'canopy-demo-2026';

async function main() {
  const dataDir = process.env.CANOPY_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-demo-'));
  const rootKey = `demo_${crypto.randomBytes(12).toString('hex')}`;
  const say = (line: string) => process.stdout.write(`${line}\n`);

  say('Starting the upstream sandbox (Print Tracker, Pharos Cloud, Printix)…');
  const sb = await startSandbox({
    seed: process.env.DEMO_SEED ?? 7, customers: 4, printtrackerPort: 0, pharosPort: 0, printixPort: 0, printixAuthPort: 0,
    variants: { printix: { separateAuth: true } },
  });

  const config = loadConfig({
    ...process.env,
    CANOPY_DATA_DIR: dataDir,
    CANOPY_BOOTSTRAP_KEY: rootKey,
    CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1',
    PORT: process.env.PORT ?? '3000',
    HOST: process.env.HOST ?? '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
  });
  say(`Starting Canopy (store: ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${dataDir}`})…`);
  const server = await startServer(config, { out: () => {} });
  const api = async <T = Record<string, unknown>>(method: string, url: string, body?: unknown, key = rootKey): Promise<T> => {
    const res = await fetch(`${server.url}${url}`, {
      method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  const dealer = await api<{ id: string }>('POST', '/v1/accounts', { name: 'Demo Dealer', display_name: 'Demo Managed Print' });
  const pt = sb.printtracker;
  const printTracker = await api<{ id: string }>('POST', `/v1/accounts/${dealer.id}/servers`, {
    type: 'printtracker', label: 'Print Tracker – all customers', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey, contact: 'noc@demo-dealer.example',
  });
  const activated = new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10);
  const entities = await api<Array<{ id: string; name: string }>>('GET', `/v1/accounts/${dealer.id}/servers/${printTracker.id}/entities`);
  const customers: Array<{ id: string; name: string }> = [];
  let feedCount = 0;
  // Customers 0, 1 and 3 report through Print Tracker (customer 2's agent is silent in this world); customer 2 is on Pharos.
  for (const entityId of [0, 1, 3].map((i) => pt.customerEntityIds[i])) {
    const name = entities.find((e) => e.id === entityId)?.name ?? entityId;
    const customer = await api<{ id: string }>('POST', `/v1/accounts/${dealer.id}/accounts`, { name });
    // No external_name sent: Canopy asks the server for the entity's name, as for any API client.
    await api('POST', `/v1/accounts/${customer.id}/feeds`, {
      server_id: printTracker.id, external_id: entityId, activated_at: activated, collection_scope: customers.length === 1 ? 'managed_only' : 'all',
    });
    feedCount++;
    customers.push({ id: customer.id, name });
  }
  const tenant = sb.pharos.tenants[2];
  const pharos = await api<{ id: string }>('POST', `/v1/accounts/${dealer.id}/servers`, { type: 'pharos', label: tenant.name, url: sb.pharos.url, password: tenant.key });
  const pharosCustomer = await api<{ id: string }>('POST', `/v1/accounts/${dealer.id}/accounts`, { name: tenant.name });
  await api('POST', `/v1/accounts/${pharosCustomer.id}/feeds`, { server_id: pharos.id, external_id: 'tenant', activated_at: activated });
  feedCount++;
  customers.push({ id: pharosCustomer.id, name: tenant.name });
  const printix = await api<{ id: string }>('POST', `/v1/accounts/${dealer.id}/servers`, {
    type: 'printix', label: 'Printix partner', url: sb.printix.url, auth_url: `${sb.printix.authUrl}/oauth/token`, username: sb.printix.clientId,
    password: sb.printix.clientSecret, partner_id: sb.printix.partnerId,
  });
  // The Printix tenant named for a customer is linked to that customer (Printix counts no pages: the feed is a link).
  const tenants = await api<Array<{ id: string; name: string }>>('GET', `/v1/accounts/${dealer.id}/servers/${printix.id}/entities`);
  const linked = customers.find((c) => tenants.some((t) => t.name === c.name));
  if (linked) {
    await api('POST', `/v1/accounts/${linked.id}/feeds`, { server_id: printix.id, external_id: tenants.find((t) => t.name === linked.name)!.id });
    feedCount++;
  }

  say(`Collecting ${feedCount} feeds of ${customers.length} customers from ${activated}…`);
  const started = Date.now();
  let collected = 0;
  for (;;) {
    const runs = (await Promise.all(customers.map((c) => api<Array<{ status: string; pages: number; feeds_done: number; feeds_total: number }>>('GET', `/v1/accounts/${c.id}/collection-runs`)))).flat();
    const done = runs.filter((r) => r.status === 'succeeded' || r.status === 'failed').length;
    collected = runs.reduce((n, r) => n + r.pages, 0);
    if (process.stdout.isTTY) {
      process.stdout.write(`\r  ${done}/${feedCount} feeds collected, ${collected.toLocaleString('en-US')} pages printed (${((Date.now() - started) / 1000).toFixed(0)} s)\u001b[K`);
    }
    if (runs.length >= feedCount && done === runs.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (process.stdout.isTTY) say('');
  say(`  ${feedCount}/${feedCount} feeds collected: ${collected.toLocaleString('en-US')} pages printed (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  // The dealer plants in Madagascar, as the README's screenshots show.
  const projects = await api<Array<{ id: string; name: string; status: string }>>('GET', '/v1/forestry/projects');
  const project = projects.find((p) => /madagascar/i.test(p.name) && p.status === 'active') ?? projects.find((p) => p.status === 'active');
  if (project) await api('POST', `/v1/accounts/${dealer.id}/projects/${project.id}`);

  say('Closing the past months into transactions and certificates…');
  const closed = await closeDueMonths(server.db, { clock: () => new Date(), graceDays: config.closeGraceDays });
  const certificates = closed.reduce((n, r) => n + r.accountsClosed, 0);
  say(`  ${closed.map((r) => r.month).join(', ') || 'no month was due'}: ${certificates} certificates`);

  const dealerKey = await api<{ key: string }>('POST', `/v1/accounts/${dealer.id}/keys`, { label: 'demo' }).then((k) => k.key).catch(() => null);
  const user = await api<{ id: string; email: string }>('POST', `/v1/accounts/${dealer.id}/users`, { email: 'dealer@demo.example', name: 'Demo Dealer' });
  const [dealerRef] = await server.db.query<{ id: string; name: string; role: 'channel'; path: string; status: 'active' }>(
    `SELECT id, name, role, path, status FROM accounts WHERE id = $1`, [dealer.id],
  );
  const link = await createPasswordLink(server.db, dealerRef, user.id, new Date());
  await setPasswordWithLink(server.db, link.token, PASSWORD, new Date());
  const figures = await api<{ ltd_pages: number; ltd_trees: number }>('GET', `/v1/accounts/${dealer.id}`);
  const cli = config.databaseUrl ? 'npm run canopy --' : `CANOPY_DATA_DIR=${dataDir} npm run canopy --`;

  say('');
  say(`Canopy is running at ${server.url}`);
  say(`  dashboard:   ${server.url}/   sign in as ${user.email} / ${PASSWORD}`);
  say(`  API docs:    ${server.url}/docs`);
  say(`  dealer key:  ${dealerKey ?? '(create one with canopy keys create)'}   (curl -u <key>: ${server.url}/v1/account)`);
  say(`  root key:    ${rootKey}`);
  say(`  dealer:      ${dealer.id}, ${collected.toLocaleString('en-US')} pages printed = ${figures.ltd_pages.toLocaleString('en-US')} standard pages = ${figures.ltd_trees} trees so far`);
  say('               (a standard page is US Letter at 75 g/m²; A4 paper weighs a little more, so it counts a little more)');
  say(`  try:         curl -u ${dealerKey ?? rootKey}: ${server.url}/v1/accounts/${customers[0].id}/volume`);
  say(`               curl -u ${dealerKey ?? rootKey}: '${server.url}/v1/feeds?include_descendants=true'`);
  say(`  CLI:         ${cli} accounts list --tree      (the same store: commands run inside this demo)`);
  say(`  sandbox:     Print Tracker ${pt.url}, Pharos ${sb.pharos.url}, Printix ${sb.printix.url} (truth: ${pt.url}/__sandbox/truth)`);
  say('Press Ctrl-C to stop.');

  const stop = async () => {
    await server.close();
    await sb.close();
    if (!process.env.CANOPY_DATA_DIR) fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
