// Customer: daily deposits, devices and their anomalies per feed, transactions and certificates with PDFs.
import { get } from '../api.ts';
import { BarChart } from '../chart.tsx';
import { Empty, HealthBadge, Loaded, Panel, serverTypeName } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import { navigate, pageHref } from '../router.ts';
import type { Account, Anomaly, Certificate, Deposit, Device, Feed, Transaction } from '../types.ts';

const DAYS = 60;

function dailySeries(deposits: Deposit[], today = new Date()): { x: number[]; y: number[] } {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const byDay = new Map<number, number>();
  for (const d of deposits) {
    const t = Date.parse(`${d.date.slice(0, 10)}T00:00:00Z`);
    byDay.set(t, (byDay.get(t) ?? 0) + d.pages);
  }
  const x: number[] = [];
  const y: number[] = [];
  // From the first day with pages: no chart half spent on days before the data starts.
  const first = Math.max(end - (DAYS - 1) * 86_400_000, Math.min(...[...byDay].filter(([, n]) => n > 0).map(([t]) => t)));
  for (let t = first; t <= end; t += 86_400_000) {
    x.push(t / 1000);
    y.push(byDay.get(t) ?? 0);
  }
  return { x, y };
}

const ANOMALY_TEXT: Record<string, string> = {
  counter_reset: 'Counter reset or replaced device',
  implausible_jump: 'Implausible jump (held back)',
  unreadable_counter: 'Unreadable counter',
  missing_total: 'No total counter',
  stale_device: 'Stale: no new readings',
};

/** A dealer picks which of its customers the page shows (the dealer's own ledger is usually empty). */
function CustomerPicker({ session, account }: Pick<PageProps, 'session' | 'account'>) {
  const customers = useLoad(() => get<Account[]>('/v1/accounts'), [session.account.id]);
  const list = customers.data ?? [];
  if (session.account.role === 'customer' || list.length === 0) return null;
  const viewingSelf = account.id === session.account.id;
  return (
    <form class="row-form picker" aria-label="Choose a customer" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for="customer-picker">Customer</label>
        <select id="customer-picker" value={viewingSelf ? '' : account.id}
          onChange={(e) => navigate(pageHref('/customer', e.currentTarget.value || null))}>
          <option value="">{session.account.name} (your own account)</option>
          {list.map((c) => <option key={c.id} value={c.id}>{c.name}{c.status === 'inactive' ? ' (inactive)' : ''}</option>)}
        </select>
      </div>
      {viewingSelf && <p class="muted small">Choose a customer to see its deposits, devices, transactions and certificates.</p>}
    </form>
  );
}

export function CustomerPage({ api, session, account }: PageProps) {
  const start = new Date(Date.now() - (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const deposits = useLoad(() => get<Deposit[]>(api(`/deposits?start_date=${start}`)), [api('')]);
  const feeds = useLoad(() => get<Feed[]>(api('/feeds')), [api('')]);
  const transactions = useLoad(() => get<Transaction[]>(api('/transactions?limit=24')), [api('')]);
  const certificates = useLoad(() => get<Certificate[]>(api('/certificates?limit=24')), [api('')]);
  return (
    <>
      <CustomerPicker session={session} account={account} />
      <Panel title={`Daily deposits, last ${DAYS} days`} id="deposits-title">
        <Loaded state={deposits} what="deposits">
          {(list) => list.length === 0 ? <Empty>No deposits in the last {DAYS} days.</Empty> : (
            <BarChart title="Pages deposited per day" height={200}
              bars={{ ...dailySeries(list), label: 'Pages', xName: 'Day', step: 86_400, xLabel: (s) => new Date(s * 1000).toISOString().slice(5, 10) }} />
          )}
        </Loaded>
      </Panel>

      <Panel title="Devices" id="devices-title">
        <Loaded state={feeds} what="feeds">
          {(list) => list.length === 0 ? <Empty>No feeds collect for this account yet.</Empty> : (
            <>{list.map((feed) => <FeedDevices key={feed.id} feed={feed} api={api} />)}</>
          )}
        </Loaded>
      </Panel>

      <div class="grid two">
        <Panel title="Transactions" id="transactions-title">
          <Loaded state={transactions} what="transactions">
            {(list) => list.length === 0 ? <Empty>No transactions yet.</Empty> : (
              <div class="table-wrap"><table>
                <thead><tr><th scope="col">Date</th><th scope="col" class="num">Pages</th><th scope="col" class="num">Trees</th></tr></thead>
                <tbody>{list.map((t) => <tr key={t.id}><td>{f.day(t.date)}</td><td class="num">{f.pages(t.pages)}</td><td class="num">{f.trees(t.trees, 3)}</td></tr>)}</tbody>
              </table></div>
            )}
          </Loaded>
        </Panel>
        <Panel title="Certificates" id="certificates-title">
          <Loaded state={certificates} what="certificates">
            {(list) => list.length === 0 ? <Empty>No certificates yet.</Empty> : (
              <ul class="list">
                {list.map((c) => (
                  <li key={c.id}>
                    <span>{f.day(c.date)} · {f.trees(c.trees, 3)} trees · {c.project.name}</span>
                    <span class="actions"><a href={c.url} target="_blank" rel="noopener">View</a> <a href={c.pdf_url} download class="button">PDF</a></span>
                  </li>
                ))}
              </ul>
            )}
          </Loaded>
        </Panel>
      </div>
    </>
  );
}

function FeedDevices({ feed, api }: { feed: Feed; api: PageProps['api'] }) {
  const devices = useLoad(() => get<Device[]>(api(`/feeds/${feed.id}/devices`)), [feed.id]);
  const anomalies = useLoad(() => get<Anomaly[]>(api(`/feeds/${feed.id}/anomalies`)), [feed.id]);
  return (
    <div class="feed-devices">
      <h3>{feed.external_name ?? feed.external_id} <HealthBadge health={feed.health_check} of="feed" /> <span class="muted small">{serverTypeName(feed.type)} · {feed.last_reading_at ? `last reading ${f.ago(feed.last_reading_at)}` : feed.type === 'printix' ? 'tenant link' : 'no reading yet'}</span></h3>
      <Loaded state={devices} what="devices">
        {(list) => list.length === 0 ? <Empty>{feed.type === 'printix' ? 'A Printix tenant link: Printix reports printing users and licenses, not pages or devices.' : 'No devices seen yet.'}</Empty> : (
          <div class="table-wrap"><table>
            <thead><tr><th scope="col">Device</th><th scope="col">Managed</th><th scope="col" class="num">Initial count</th><th scope="col" class="num">Latest count</th><th scope="col" class="num">Pages since first seen</th><th scope="col">Last read</th><th scope="col" class="num">Anomalies</th></tr></thead>
            <tbody>{list.map((d) => (
              <tr key={d.device_id} class={d.anomalies > 0 ? 'warn' : undefined}>
                <td><code>{d.device_id}</code></td><td>{d.managed ? 'Yes' : 'No'}</td>
                <td class="num">{f.pages(d.initial_count)}</td><td class="num">{f.pages(d.latest_count)}</td><td class="num">{f.pages(d.life_count)}</td>
                <td>{f.day(d.latest_read_at)}</td><td class="num">{d.anomalies}</td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Loaded>
      <Loaded state={anomalies} what="anomalies">
        {(list) => list.length === 0 ? null : (
          <details>
            <summary>{list.length} anomal{list.length === 1 ? 'y' : 'ies'}</summary>
            <ul class="list compact">
              {list.map((a) => <li key={a.id}><span>{a.day} · <code>{a.device_id}</code> · {ANOMALY_TEXT[a.kind] ?? a.kind}</span>{a.detail && <span class="muted small">{a.detail}</span>}</li>)}
            </ul>
          </details>
        )}
      </Loaded>
    </div>
  );
}
