// A real Canopy server (PGlite in a temp directory) and Debian's Chromium driven by playwright-core.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig, type Config } from '../../src/config.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { usersCommand } from '../../src/cli/users.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/**
 * Browser tests run once per CI run, on PGlite (the PostgreSQL pass skips them: the pages are the same
 * and the API beneath them is covered on both stores). Without Chromium they skip on a developer's
 * machine and fail in CI, which installs it.
 */
export const browserTestsSkipped = (() => {
  if (process.env.TEST_DATABASE_URL) return 'browser tests run on the PGlite pass only';
  if (!fs.existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs the chromium package`);
    return `${CHROMIUM} is missing (apt-get install chromium)`;
  }
  return null;
})();

export const WEB_BUILT = fs.existsSync(path.resolve('dist/web/index.html'));

export interface Site {
  server: RunningServer;
  config: Config;
  url: string;
  rootKey: string;
  dataDir: string;
  browser: Browser;
  /** Every line the server logged (JSON), when started with captureLogs. */
  logs: string[];
  /** A JSON call to the API with a key (root's by default). */
  api<T = any>(method: string, path: string, body?: unknown, key?: string): Promise<T>;
  account(name: string, parentKey?: string, role?: string): Promise<{ id: string; key: string }>;
  /** Runs `canopy users invite` against the server's store and returns the printed link. */
  invite(accountId: string, email: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSite(env: Record<string, string> = {}, options: { captureLogs?: boolean } = {}): Promise<Site> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'canopy-browser-'));
  const rootKey = `root_${crypto.randomBytes(12).toString('hex')}`;
  const config = loadConfig({
    PORT: '0', HOST: '127.0.0.1', CANOPY_DATA_DIR: dataDir, CANOPY_BOOTSTRAP_KEY: rootKey, LOG_LEVEL: 'warn',
    CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1', ...env,
  });
  const logs: string[] = [];
  const logStream = options.captureLogs ? { write: (line: string) => void logs.push(line) } : undefined;
  const server = await startServer(config, { out: () => {}, logStream });
  const url = server.url.replace('localhost', '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const api = async (method: string, p: string, body?: unknown, key = rootKey) => {
    const res = await fetch(`${url}${p}`, {
      method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    server, config, url, rootKey, dataDir, browser, logs, api,
    async account(name, parentKey = rootKey, role) {
      const created = await api('POST', '/v1/accounts', { name, ...(role ? { role } : {}) }, parentKey);
      const key = await api('POST', `/v1/accounts/${created.id}/keys`, { label: 'browser test' }, parentKey);
      return { id: created.id, key: key.key };
    },
    async invite(accountId, email) {
      const lines: string[] = [];
      await usersCommand.execute({ db: server.db, config: { ...config, publicUrl: url }, clock: () => new Date(), out: (l) => lines.push(l) }, [
        'invite', '--account', accountId, '--email', email,
      ]);
      const link = lines.find((l) => l.startsWith('http'));
      if (!link) throw new Error(`no link in: ${lines.join('\n')}`);
      return link;
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Tab {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, except the browser's own note on an API answer we provoked (4xx). */
  errors: string[];
}

export async function openTab(site: Site, viewport = { width: 1280, height: 860 }): Promise<Tab> {
  const context = await site.browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => void d.accept());
  return { page, context, errors };
}

/** Opens a tab signed in as a new user of the account, through its invitation link. */
export async function signedInTab(site: Site, accountId: string, email: string, password = 'evergreen forest 42'): Promise<Tab> {
  const tab = await openTab(site);
  await tab.page.goto(await site.invite(accountId, email));
  await tab.page.getByLabel('Password', { exact: true }).fill(password);
  await tab.page.getByLabel('Repeat the password').fill(password);
  await tab.page.getByRole('button', { name: 'Set password and sign in' }).click();
  await tab.page.getByRole('heading', { name: /Overview/ }).waitFor();
  return tab;
}

/** Saves a screenshot under docs/screenshots/ when UPDATE_SCREENSHOTS=1 (kept out of ordinary runs). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  fs.mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: true });
}
