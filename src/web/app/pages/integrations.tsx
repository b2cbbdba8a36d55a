// Integrations: print-management servers, customer feeds with health, collection on demand, Printix tenants.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, post } from '../api.ts';
import { Empty, Field, FormError, HealthBadge, Loaded, Panel, StatusBadge, serverName, serverTypeName } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import type { Account, Billing, BillingPeriod, CollectionRun, ConnectionTest, Entity, Feed, Server } from '../types.ts';
import { ServerForm } from './server-form.tsx';

type Api = PageProps['api'];

export function IntegrationsPage({ api, account }: PageProps) {
  const servers = useLoad(() => get<Server[]>(api('/servers')), [api('')]);
  // Every feed of the account's subtree: its customers' feeds are what a dealer manages here.
  const feeds = useLoad(() => get<Feed[]>(api('/feeds?include_descendants=true')), [api('')]);
  const customers = useLoad(async () => {
    const children = await get<Account[]>(api('/accounts'));
    return account.role === 'customer' ? [account as Account] : children;
  }, [api('')]);
  const [adding, setAdding] = useState(false);
  const names = new Map((customers.data ?? []).map((c) => [c.id, c.name]));
  names.set(account.id, account.name);

  return (
    <>
      <Panel title="Servers" id="servers-title" actions={!adding && <button type="button" class="primary" onClick={() => setAdding(true)}>Add server</button>}>
        {adding && <ServerForm api={api} onDone={(saved) => { setAdding(false); if (saved) { servers.reload(); feeds.reload(); } }} />}
        <Loaded state={servers} what="servers">
          {(list) => list.length === 0 ? <Empty>No servers yet: add your Print Tracker, Pharos Cloud or Printix server.</Empty> : (
            <ul class="cards">{list.map((s) => <ServerCard key={s.id} server={s} api={api} onChanged={servers.reload} customers={customers.data ?? []} onFeedCreated={feeds.reload} />)}</ul>
          )}
        </Loaded>
      </Panel>

      <CollectNow api={api} onFinished={feeds.reload} />

      <Panel title="Feeds" id="feeds-title">
        <Loaded state={servers} what="servers">
          {(serverList) => serverList.length === 0 ? null : (
            <Loaded state={customers} what="accounts">
              {(accounts) => <NewFeed api={api} servers={serverList} accounts={accounts} feeds={feeds.data ?? []} names={names} onCreated={feeds.reload} />}
            </Loaded>
          )}
        </Loaded>
        <Loaded state={feeds} what="feeds">
          {(list) => list.length === 0 ? <Empty>No feeds yet: map a customer to its upstream entity above.</Empty> : (
            <div class="table-wrap"><table aria-labelledby="feeds-title">
              <thead><tr>
                <th scope="col">Account</th><th scope="col">Upstream entity</th><th scope="col">Health</th><th scope="col">Status</th>
                <th scope="col">Scope</th><th scope="col">Active since</th><th scope="col">Last collected</th><th scope="col">Actions</th>
              </tr></thead>
              <tbody>{list.map((feed) => <FeedRow key={feed.id} feed={feed} accountName={names.get(feed.account_id) ?? feed.account_id.slice(0, 8)} onChanged={feeds.reload} />)}</tbody>
            </table></div>
          )}
        </Loaded>
      </Panel>
    </>
  );
}

function ServerCard({ server, api, onChanged, customers, onFeedCreated }: {
  server: Server; api: Api; onChanged: () => void; customers: Account[]; onFeedCreated: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [provisioning, setProvisioning] = useState(false);
  const test = useSubmit(() => post<ConnectionTest>(api(`/servers/${server.id}/test`)));
  const [result, setResult] = useState<ConnectionTest | null>(null);
  const remove = useSubmit(() => del(api(`/servers/${server.id}`)));
  return (
    <li class="card" data-server={server.id}>
      <div class="card-head">
        <h3>{serverName(server)} <span class="muted small">{serverTypeName(server.type)} · {server.url}</span></h3>
        <HealthBadge health={server.health_check} of="server" />
      </div>
      <p class="muted small">{serverHealthText(server)}{server.health_check_message && <> · {server.health_check_message}</>}</p>
      <div class="actions">
        <button type="button" disabled={test.busy} onClick={async () => { const r = await test.run(); if (r) { setResult(r); onChanged(); } }}>{test.busy ? 'Testing…' : 'Test connection'}</button>
        <button type="button" onClick={() => setEditing(!editing)}>{editing ? 'Close' : 'Edit'}</button>
        {server.type === 'printix' && <button type="button" onClick={() => setProvisioning(!provisioning)}>Provision tenant</button>}
        <button type="button" class="danger" disabled={remove.busy} onClick={async () => {
          if (confirm('Delete this server? Its stored credentials are erased.')) { await remove.run(); if (!remove.error) onChanged(); }
        }}>Delete</button>
      </div>
      {result && <p class={result.ok ? 'ok' : 'form-error'} role="status">{result.ok ? 'Connected.' : `${result.result.replace(/_/g, ' ')}: ${result.message}`}</p>}
      {test.error && <p class="form-error" role="alert">{test.error.message}</p>}
      {remove.error && <p class="form-error" role="alert">{remove.error.message}</p>}
      {editing && <ServerForm api={api} server={server} onDone={(saved) => { setEditing(false); if (saved) onChanged(); }} />}
      {provisioning && <ProvisionTenant api={api} server={server} customers={customers} onDone={() => { setProvisioning(false); onFeedCreated(); }} />}
    </li>
  );
}

/** What is known of a server's health, in words: never "since never". */
function serverHealthText(server: Server): string {
  if (!server.health_check_checked_at) return 'Not checked yet: Canopy checks it before the next collection and every hour.';
  const since = server.health_check_changed_at ? `${server.health_check === 'healthy' ? 'Healthy' : 'Unhealthy'} since ${f.ago(server.health_check_changed_at)}, ` : '';
  return `${since}last checked ${f.ago(server.health_check_checked_at)}`;
}

/** What is known of a feed's health, in words. */
function feedHealthText(feed: Feed): string {
  if (feed.health_check === 'pending') return feed.last_collected_at ? `no reading yet, collected ${f.ago(feed.last_collected_at)}` : 'not collected yet';
  const last = feed.last_reading_at ? `last reading ${f.ago(feed.last_reading_at)}` : '';
  return [feed.health_check_changed_at ? `since ${f.ago(feed.health_check_changed_at)}` : '', last].filter(Boolean).join(' · ');
}

const FEED_FIELDS = ['account_id', 'server_id', 'external_id', 'activated_at', 'collection_scope'] as const;

/** How deep an entity sits below the top of the listed tree, to indent it in the dropdown. */
function depthOf(entity: Entity, all: Entity[]): number {
  const byId = new Map(all.map((e) => [e.id, e]));
  let depth = 0;
  for (let p = entity.parent_id; p && byId.has(p) && depth < 10; p = byId.get(p)!.parent_id) depth++;
  return depth;
}

function firstOfMonth(): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString().slice(0, 10);
}

function NewFeed({ api, servers, accounts, feeds, names, onCreated }: {
  api: Api; servers: Server[]; accounts: Account[]; feeds: Feed[]; names: Map<string, string>; onCreated: () => void;
}) {
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? '');
  const [serverId, setServerId] = useState(servers[0]?.id ?? '');
  const [externalId, setExternalId] = useState('');
  const [activatedAt, setActivatedAt] = useState(firstOfMonth());
  const [scope, setScope] = useState<'all' | 'managed_only'>('all');
  const entities = useLoad(() => (serverId ? get<Entity[]>(api(`/servers/${serverId}/entities`)) : Promise.resolve([])), [serverId]);
  useEffect(() => setExternalId(''), [serverId]);
  // Entities that already have a live feed on this server: a second feed would be refused (one per entity).
  const used = new Map(feeds.filter((fd) => fd.server_id === serverId).map((fd) => [fd.external_id, names.get(fd.account_id) ?? 'another account']));
  const submit = useSubmit(() => {
    if (!accountId) throw new ApiError(400, 'account_id is required: create a customer account first');
    const name = entities.data?.find((en) => en.id === externalId)?.name;
    return post<Feed>(`/v1/accounts/${accountId}/feeds`, {
      server_id: serverId, external_id: externalId, ...(name ? { external_name: name } : {}), activated_at: activatedAt, collection_scope: scope,
    });
  });
  const [created, setCreated] = useState<string | null>(null);
  return (
    <form class="row-form" aria-label="New feed" onSubmit={async (e) => {
      e.preventDefault();
      const feed = await submit.run();
      if (feed) { setCreated(feed.external_name ?? feed.external_id); setExternalId(''); onCreated(); }
    }}>
      <Field label="Customer account" name="account_id" error={submit.error} fields={FEED_FIELDS}>
        {(p) => (
          <select {...p} value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)}>
            {accounts.length === 0 && <option value="">No accounts yet</option>}
            {accounts.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        )}
      </Field>
      <Field label="Server" name="server_id" error={submit.error} fields={FEED_FIELDS}>
        {(p) => (
          <select {...p} value={serverId} onChange={(e) => setServerId(e.currentTarget.value)}>
            {servers.map((s) => <option key={s.id} value={s.id}>{serverName(s)}{s.label ? ` (${serverTypeName(s.type)})` : ''}</option>)}
          </select>
        )}
      </Field>
      <Field label="Upstream entity" name="external_id" error={submit.error ?? entities.error} fields={FEED_FIELDS}
        hint={used.size > 0 ? `${used.size} of these already ${used.size === 1 ? 'has a feed' : 'have feeds'} (marked, not selectable).` : undefined}>
        {(p) => (
          <select {...p} required value={externalId} disabled={entities.loading} onChange={(e) => setExternalId(e.currentTarget.value)}>
            <option value="">{entities.loading ? 'Loading entities…' : entities.error ? 'Could not list entities' : 'Choose an entity'}</option>
            {(entities.data ?? []).map((en) => (
              <option key={en.id} value={en.id} disabled={used.has(en.id)}>
                {'— '.repeat(depthOf(en, entities.data ?? []))}{en.name}{used.has(en.id) ? ` — has a feed (${used.get(en.id)})` : ''}
              </option>
            ))}
          </select>
        )}
      </Field>
      {entities.error && <p class="field-error" role="alert">{entities.error.message}</p>}
      <Field label="Activation date" name="activated_at" error={submit.error} fields={FEED_FIELDS} hint="A past date collects history back to it.">
        {(p) => <input {...p} type="date" required value={activatedAt} onInput={(e) => setActivatedAt(e.currentTarget.value)} />}
      </Field>
      <fieldset class="field">
        <legend>Devices</legend>
        <label class="choice"><input type="radio" name="collection_scope" value="all" checked={scope === 'all'} onChange={() => setScope('all')} /> All devices</label>
        <label class="choice"><input type="radio" name="collection_scope" value="managed_only" checked={scope === 'managed_only'} onChange={() => setScope('managed_only')} /> Managed devices only</label>
      </fieldset>
      <button type="submit" class="primary" disabled={submit.busy}>Create feed</button>
      <FormError error={submit.error} fields={FEED_FIELDS} />
      {created && <p class="ok" role="status">Feed for {created} created.</p>}
    </form>
  );
}

function FeedRow({ feed: loaded, accountName, onChanged }: { feed: Feed; accountName: string; onChanged: () => void }) {
  // The row's own answer to (de)activate, until the list is loaded again.
  const [changed, setFeed] = useState<Feed | null>(null);
  useEffect(() => setFeed(null), [loaded]);
  const feed = changed ?? loaded;
  const [billing, setBilling] = useState(false);
  const base = `/v1/accounts/${feed.account_id}/feeds/${feed.id}`;
  const toggle = useSubmit(() => post<Feed>(`${base}/${feed.status === 'active' ? 'deactivate' : 'activate'}`));
  const remove = useSubmit(() => del(base));
  return (
    <>
      <tr data-feed={feed.id}>
        <th scope="row">{accountName}</th>
        <td>{feed.external_name ?? feed.external_id} <span class="muted small">{serverTypeName(feed.type)}</span></td>
        <td><HealthBadge health={feed.health_check} of="feed" /> <span class="muted small">{feedHealthText(feed)}</span></td>
        <td><StatusBadge status={feed.status} /></td>
        <td>{feed.collection_scope === 'all' ? 'All devices' : 'Managed only'}</td>
        <td>{f.day(feed.activated_at)}</td>
        <td>{feed.last_collected_at ? f.ago(feed.last_collected_at) : 'not yet'}</td>
        <td class="actions">
          <button type="button" disabled={toggle.busy} onClick={async () => { const u = await toggle.run(); if (u) setFeed(u); }}>{feed.status === 'active' ? 'Deactivate' : 'Activate'}</button>
          {feed.type === 'printix' && <button type="button" aria-expanded={billing} onClick={() => setBilling(!billing)}>Billing</button>}
          <button type="button" class="danger" disabled={remove.busy} onClick={async () => {
            if (confirm('Delete this feed? Its deposits stay in the ledger.')) { await remove.run(); onChanged(); }
          }}>Delete</button>
          {(toggle.error ?? remove.error) && <p class="field-error" role="alert">{(toggle.error ?? remove.error)!.message}</p>}
        </td>
      </tr>
      {billing && <tr><td colSpan={8}><BillingPeriods url={`${base}/billing`} /></td></tr>}
    </>
  );
}

function Period({ title, period }: { title: string; period: BillingPeriod | null }) {
  return (
    <div>
      <h4>{title}</h4>
      {period ? <p>{f.day(period.period_start)} – {f.day(period.period_end)}: {period.printing_users} printing users of {period.user_licenses} licenses</p> : <p class="muted">None</p>}
    </div>
  );
}

function BillingPeriods({ url }: { url: string }) {
  const billing = useLoad(() => get<Billing>(url), [url]);
  return (
    <Loaded state={billing} what="billing periods">
      {(b) => (
        <div class="billing">
          <p><strong>{b.tenant_name}</strong> ({b.tenant_domain}) · {b.current_user_licenses} user licenses</p>
          <Period title="Current billing period" period={b.current_billing_period} />
          <Period title="Previous billing period" period={b.previous_billing_period} />
        </div>
      )}
    </Loaded>
  );
}

const TENANT_FIELDS = ['account_id', 'tenant_name', 'tenant_domain', 'initial_user'] as const;

function ProvisionTenant({ api, server, customers, onDone }: { api: Api; server: Server; customers: Account[]; onDone: () => void }) {
  const [accountId, setAccountId] = useState(customers[0]?.id ?? '');
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [email, setEmail] = useState('');
  const submit = useSubmit(() => post<Feed>(api(`/servers/${server.id}/tenants`), {
    account_id: accountId, tenant_name: name, tenant_domain: domain, ...(email ? { initial_user: { email, name: email } } : {}),
  }));
  return (
    <form class="row-form" aria-label="Provision a Printix tenant" onSubmit={async (e) => { e.preventDefault(); if (await submit.run()) onDone(); }}>
      <Field label="Account" name="account_id" error={submit.error} fields={TENANT_FIELDS}>
        {(p) => <select {...p} value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)}>{customers.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select>}
      </Field>
      <Field label="Tenant name" name="tenant_name" error={submit.error} fields={TENANT_FIELDS}>
        {(p) => <input {...p} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
      </Field>
      <Field label="Tenant domain" name="tenant_domain" error={submit.error} fields={TENANT_FIELDS}>
        {(p) => <input {...p} required value={domain} onInput={(e) => setDomain(e.currentTarget.value)} />}
      </Field>
      <Field label="First user's email (optional)" name="initial_user" error={submit.error} fields={TENANT_FIELDS}>
        {(p) => <input {...p} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />}
      </Field>
      <button type="submit" class="primary" disabled={submit.busy}>Provision tenant</button>
      <FormError error={submit.error} fields={TENANT_FIELDS} />
    </form>
  );
}

function CollectNow({ api, onFinished }: { api: Api; onFinished: () => void }) {
  const [run, setRun] = useState<CollectionRun | null>(null);
  const start = useSubmit(() => post<CollectionRun>(api('/collection-runs'), {}));
  const finished = (r: CollectionRun) => r.status === 'succeeded' || r.status === 'partial' || r.status === 'failed';
  useEffect(() => {
    if (!run || finished(run)) return;
    const timer = setTimeout(async () => {
      try {
        const next = await get<CollectionRun>(api(`/collection-runs/${run.id}`));
        setRun({ ...next, joined: run.joined });
        if (finished(next)) onFinished();
      } catch {
        setRun({ ...run });
      }
    }, 1000);
    return () => clearTimeout(timer);
  }, [run]);
  const done = run ? run.feeds_done : 0;
  const total = run ? Math.max(run.feeds_total, 1) : 1;
  return (
    <Panel title="Collection" id="collect-title" actions={
      <button type="button" class="primary" disabled={start.busy || (run !== null && (run.status === 'queued' || run.status === 'running'))}
        onClick={async () => { const r = await start.run(); if (r) setRun(r); }}>Collect now</button>
    }>
      <p class="muted small">Canopy collects every night; “Collect now” collects every active feed of this account's customers at once.</p>
      {start.error && <p class="form-error" role="alert">{start.error.message}</p>}
      {run && (
        <div class="run" role="status" aria-live="polite" data-testid="collection-run" data-status={run.status}>
          <progress max={total} value={run.status === 'succeeded' ? total : done} aria-label="Feeds collected" />
          {run.joined && <p class="muted small">A collection you asked for was already waiting to start: this is it.</p>}
          <p>
            {run.status === 'queued' ? 'Queued…' : run.status === 'running' ? 'Collecting…' : run.status === 'succeeded' ? 'Done.'
              : run.status === 'partial' ? 'Partly done: some feeds were not collected.' : 'Failed: no feed was collected.'}{' '}
            {run.feeds_done} of {run.feeds_total} feeds · {f.pages(run.pages_read)} pages read · net {run.pages >= 0 ? '+' : ''}{f.pages(run.pages)} pages · {f.pages(run.devices)} devices · {f.pages(run.readings)} readings · {run.anomalies} anomalies
            {run.errors > 0 && <> · {run.errors} errors</>}
          </p>
          <p class="small" data-testid="collection-outcomes">
            {run.outcomes.collected} collected
            {run.outcomes.waited_for > 0 && <> · {run.outcomes.waited_for} collected by another run meanwhile</>}
            {run.outcomes.failed > 0 && <> · {run.outcomes.failed} failed</>}
            {run.outcomes.offline > 0 && <> · {run.outcomes.offline} offline (server down)</>}
            {run.outcomes.skipped > 0 && <> · {run.outcomes.skipped} no longer active</>}
          </p>
          {run.error_messages.length > 0 && <ul class="form-error">{run.error_messages.map((m, i) => <li key={i}>{m}</li>)}</ul>}
        </div>
      )}
    </Panel>
  );
}

