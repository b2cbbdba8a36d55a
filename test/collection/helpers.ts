// Helpers for collection scenarios: a sandbox on the test clock, a dealer with servers and feeds, deposits vs truth.
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/server.ts';
import { createTestApp, type TestApp, TestClock } from '../helpers/harness.ts';

export const COLLECTION_ENV = {
  CANOPY_ALLOW_PRIVATE_UPSTREAMS: '1',
  CANOPY_UPSTREAM_RETRY_BASE_MS: '5',
  CANOPY_UPSTREAM_TIMEOUT_MS: '2000',
};

export interface World {
  t: TestApp;
  sb: Sandbox;
  close(): Promise<void>;
}

/** A Canopy test app and a sandbox sharing one clock. */
export async function collectionWorld(options: { now: string; sandbox?: SandboxOptions; env?: Record<string, string> }): Promise<World> {
  const clock = new TestClock(options.now);
  const sb = await startSandbox({ seed: 7, customers: 3, ...options.sandbox, now: () => clock.now.getTime() });
  const t = await createTestApp({ clock, env: { ...COLLECTION_ENV, ...options.env } });
  return {
    t, sb,
    async close() {
      await t.close();
      await sb.close();
    },
  };
}

export interface Truth {
  date: string;
  pages: number;
  printed: number;
}

export async function truth(sb: Sandbox, query: Record<string, string>): Promise<Truth[]> {
  const base = query.tenant ? sb.pharos.url : sb.printtracker.url;
  const res = await fetch(`${base}/__sandbox/truth?${new URLSearchParams(query)}`);
  if (!res.ok) throw new Error(`truth: ${res.status} ${await res.text()}`);
  return (await res.json()) as Truth[];
}

/** Pages per UTC day deposited on an account (all its deposits, every size), as a map of non-zero days. */
export async function depositsByDay(t: TestApp, accountId: string, key = t.rootKey): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let page = 1; ; page++) {
    const list = await t.json(`/v1/accounts/${accountId}/deposits?limit=1000&page=${page}`, { key });
    for (const d of list as Array<{ date: string; pages: number }>) out.set(d.date.slice(0, 10), (out.get(d.date.slice(0, 10)) ?? 0) + d.pages);
    if (list.length < 1000) break;
  }
  return out;
}

/** Truth's non-zero days as a map, for comparing with deposits. */
export function truthByDay(rows: Truth[]): Map<string, number> {
  return new Map(rows.filter((r) => r.pages > 0).map((r) => [r.date, r.pages]));
}

export const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort());

/** Waits for the collection runs started in-process to finish. */
export async function settle(t: TestApp): Promise<void> {
  await t.app.collection.idle();
}

export interface DealerFeeds {
  dealer: { id: string; key: string; path: string };
  feeds: Array<{ id: string; customer: string; entity: string }>;
}

/** A dealer with a Print Tracker server on the sandbox and one customer with a feed per sandbox customer entity. */
export async function printTrackerDealer(w: World, name: string, activatedAt: string): Promise<DealerFeeds> {
  const d = await w.t.account(name);
  const [row] = await w.t.db.query<{ path: string }>(`SELECT path FROM accounts WHERE id = $1`, [d.id]);
  const dealer = { ...d, path: row.path };
  const server = await w.t.json('/v1/servers', {
    method: 'POST', key: dealer.key,
    body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
  });
  const feeds: DealerFeeds['feeds'] = [];
  for (const [i, entity] of w.sb.printtracker.customerEntityIds.entries()) {
    const c = await w.t.account(`${name} customer ${i}`, { key: dealer.key });
    const feed = await w.t.json(`/v1/accounts/${c.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: entity, activated_at: activatedAt } });
    feeds.push({ id: feed.id, customer: c.id, entity });
  }
  return { dealer, feeds };
}
