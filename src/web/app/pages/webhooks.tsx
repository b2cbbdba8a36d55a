// Webhooks of the viewed account: endpoints (secret shown once, rotate, enable/disable, delete), recent deliveries, resend.
import { useState } from 'preact/hooks';
import { del, get, patch, post } from '../api.ts';
import { Empty, Field, FormError, Loaded, Panel, ShownOnce, StatusBadge } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';

const EVENTS = ['deposit.created', 'deposit.updated', 'deposit.deleted', 'transaction.created', 'certificate.issued', 'feed.health_changed', 'server.health_changed', 'collection_run.finished'];

interface Endpoint { id: string; url: string; description: string | null; events: string[]; status: 'enabled' | 'disabled'; disabled_reason: string | null; previous_secret_valid_until: string | null; created_at: string }
interface WithSecret extends Endpoint { secret: string }
interface Delivery { id: string; event_id: string; event_type: string; status: string; attempts: number; response_status: number | null; duration_ms: number | null; last_error: string | null; last_attempt_at: string | null; next_attempt_at: string | null; created_at: string }

const FIELDS = ['url', 'events', 'description'] as const;

export function WebhooksPage({ api }: PageProps) {
  const endpoints = useLoad(() => get<Endpoint[]>(api('/webhook-endpoints')), [api('')]);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['certificate.issued']);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const add = useSubmit(() => post<WithSecret>(api('/webhook-endpoints'), { url, events }));
  const act = useSubmit(async (action: () => Promise<unknown>) => action());
  return (
    <div class="grid two">
      <Panel title="Webhook endpoints" id="endpoints-title">
        <form class="stack" aria-label="Add an endpoint" onSubmit={async (e) => {
          e.preventDefault();
          const made = await add.run();
          if (made) { setSecret({ label: `Signing secret for ${made.url} (shown once)`, value: made.secret }); setUrl(''); endpoints.reload(); }
        }}>
          <Field label="Endpoint URL" name="url" error={add.error} fields={FIELDS} hint="https only; events are signed per Standard Webhooks">
            {(p) => <input {...p} type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />}
          </Field>
          <fieldset>
            <legend>Events</legend>
            {EVENTS.map((name) => (
              <label key={name} class="check"><input type="checkbox" name="events" value={name} checked={events.includes(name)}
                onChange={(e) => setEvents(e.currentTarget.checked ? [...events, name] : events.filter((x) => x !== name))} /> {name}</label>
            ))}
          </fieldset>
          <FormError error={add.error} fields={FIELDS} />
          {add.error?.fieldIn(['events']) && <p class="form-error" role="alert">{add.error.message}</p>}
          <button type="submit" class="primary" disabled={add.busy}>Add endpoint</button>
        </form>
        {secret && <ShownOnce label={secret.label} value={secret.value} />}
        {act.error && <p class="form-error" role="alert">{act.error.message}</p>}
        <Loaded state={endpoints} what="endpoints">
          {(list) => list.length === 0 ? <Empty>No endpoints yet.</Empty> : (
            <ul class="list">
              {list.map((e) => (
                <li key={e.id} class="stack">
                  <span><StatusBadge status={e.status} /> <strong>{e.url}</strong></span>
                  <span class="muted small">{e.events.join(', ')}{e.disabled_reason ? ` · ${e.disabled_reason}` : ''}{e.previous_secret_valid_until ? ` · old secret valid until ${f.dateTime(e.previous_secret_valid_until)}` : ''}</span>
                  <span class="actions">
                    <button type="button" onClick={() => setSelected(e.id)}>Deliveries</button>
                    <button type="button" onClick={async () => {
                      const rotated = await act.run(() => post<WithSecret>(api(`/webhook-endpoints/${e.id}/rotate-secret`)));
                      if (rotated) { setSecret({ label: `New signing secret for ${e.url} (shown once; the old one works for 24 hours)`, value: (rotated as WithSecret).secret }); endpoints.reload(); }
                    }}>Rotate secret</button>
                    <button type="button" onClick={async () => { await act.run(() => patch(api(`/webhook-endpoints/${e.id}`), { enabled: e.status === 'disabled' })); endpoints.reload(); }}>
                      {e.status === 'disabled' ? 'Enable' : 'Disable'}
                    </button>
                    <button type="button" class="danger" onClick={async () => {
                      if (confirm(`Delete the endpoint ${e.url} and its delivery log?`)) { await act.run(() => del(api(`/webhook-endpoints/${e.id}`))); endpoints.reload(); }
                    }}>Delete</button>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Loaded>
      </Panel>
      {selected && <Deliveries api={api} endpointId={selected} />}
    </div>
  );
}

function Deliveries({ api, endpointId }: { api: PageProps['api']; endpointId: string }) {
  const deliveries = useLoad(() => get<Delivery[]>(api(`/webhook-endpoints/${endpointId}/deliveries?limit=50`)), [api(''), endpointId]);
  const resend = useSubmit((id: string) => post<Delivery>(api(`/webhook-deliveries/${id}/resend`)));
  return (
    <Panel title="Recent deliveries" id="deliveries-title">
      {resend.error && <p class="form-error" role="alert">{resend.error.message}</p>}
      <Loaded state={deliveries} what="deliveries">
        {(list) => list.length === 0 ? <Empty>Nothing delivered yet.</Empty> : (
          <div class="table-wrap"><table aria-labelledby="deliveries-title">
            <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Response</th><th scope="col">Attempts</th><th scope="col">Last attempt</th><th scope="col">Actions</th></tr></thead>
            <tbody>{list.map((d) => (
              <tr key={d.id}>
                <td>{d.event_type}<br /><span class="muted small">{d.event_id}</span></td>
                <td><StatusBadge status={d.status} />{d.next_attempt_at && <span class="muted small"> next {f.dateTime(d.next_attempt_at)}</span>}</td>
                <td>{d.response_status ?? d.last_error ?? '—'}{d.duration_ms !== null && <span class="muted small"> · {d.duration_ms} ms</span>}</td>
                <td>{d.attempts}</td>
                <td>{f.dateTime(d.last_attempt_at)}</td>
                <td><button type="button" onClick={async () => { if (await resend.run(d.id)) deliveries.reload(); }}>Resend</button></td>
              </tr>
            ))}</tbody>
          </table></div>
        )}
      </Loaded>
    </Panel>
  );
}
