// Email: what the signed-in user receives, the viewed account's outbox, and (for dealers) the sender name on certificates.
import { useEffect, useState } from 'preact/hooks';
import { get, post, put } from '../api.ts';
import { Empty, Field, FormError, Loaded, Panel, StatusBadge } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';

interface Preferences { user_id: string; certificates: boolean; health_alerts: boolean }
interface Message { id: string; kind: string; to: string; subject: string; text: string | null; status: string; attempts: number; last_error: string | null; created_at: string; sent_at: string | null }
interface Branding { sender_name: string | null; line: string | null; effective: { account_id: string; sender_name: string; line: string | null } | null }

export function EmailPage({ api, session, account }: PageProps) {
  return (
    <div class="grid two">
      <div class="stack">
        <MyNotifications userId={session.user.id} />
        {account.role !== 'customer' && <SenderBranding api={api} />}
      </div>
      <Outbox api={api} />
    </div>
  );
}

function MyNotifications({ userId }: { userId: string }) {
  const url = `/v1/users/${userId}/notification-settings`;
  const current = useLoad(() => get<Preferences>(url), [url]);
  // What the server answered to the last change: shown at once, without reloading the panel.
  const [latest, setLatest] = useState<Preferences | null>(null);
  const save = useSubmit((choice: Partial<Preferences>) => put<Preferences>(url, choice));
  const toggle = async (field: 'certificates' | 'health_alerts', value: boolean) => {
    setLatest(null);
    const answer = await save.run({ [field]: value });
    if (answer) setLatest(answer);
  };
  return (
    <Panel title="Notification settings" id="notifications-title">
      <Loaded state={current} what="your settings">
        {(loaded) => {
          const p = latest ?? loaded;
          return (
            <fieldset class="stack">
              <legend class="muted small">Emails you receive</legend>
              <label><input type="checkbox" name="certificates" checked={p.certificates} disabled={save.busy} onChange={(e) => toggle('certificates', e.currentTarget.checked)} /> Certificates of Reforestation (after each month close)</label>
              <label><input type="checkbox" name="health_alerts" checked={p.health_alerts} disabled={save.busy} onChange={(e) => toggle('health_alerts', e.currentTarget.checked)} /> Health alerts (servers and feeds going down and recovering; at most one an hour)</label>
            </fieldset>
          );
        }}
      </Loaded>
      {save.error && <p class="form-error" role="alert">{save.error.message}</p>}
      {latest && <p role="status" class="muted small">Saved.</p>}
    </Panel>
  );
}

const BRANDING_FIELDS = ['sender_name', 'line'] as const;

function SenderBranding({ api }: { api: PageProps['api'] }) {
  const current = useLoad(() => get<Branding>(api('/email-branding')), [api('')]);
  const [name, setName] = useState('');
  const [line, setLine] = useState('');
  useEffect(() => {
    if (current.data) { setName(current.data.sender_name ?? ''); setLine(current.data.line ?? ''); }
  }, [current.data]);
  const save = useSubmit(() => put<Branding>(api('/email-branding'), { sender_name: name || null, line: line || null }));
  return (
    <Panel title="Sender on certificates" id="branding-title">
      <form class="stack" aria-label="Sender on certificates" onSubmit={async (e) => { e.preventDefault(); if (await save.run()) current.reload(); }}>
        <p class="muted small">Certificate emails, pages and PDFs of this account and the accounts below it carry this name beside Canopy's (the nearest account up the tree that sets one wins).</p>
        <Field label="Sender name" name="sender_name" error={save.error} fields={BRANDING_FIELDS}>
          {(p) => <input {...p} maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field label="Short line" name="line" error={save.error} fields={BRANDING_FIELDS}>
          {(p) => <input {...p} maxLength={200} value={line} onInput={(e) => setLine(e.currentTarget.value)} />}
        </Field>
        <FormError error={save.error} fields={BRANDING_FIELDS} />
        <button type="submit" class="primary" disabled={save.busy}>Save</button>
      </form>
    </Panel>
  );
}

function Outbox({ api }: { api: PageProps['api'] }) {
  const messages = useLoad(() => get<Message[]>(api('/outbox?limit=100')), [api('')]);
  const [open, setOpen] = useState<string | null>(null);
  const send = useSubmit(() => post<{ queued: number }>(api('/outbox/send')));
  return (
    <Panel title="Outbox" id="outbox-title" actions={<button type="button" onClick={async () => { if (await send.run()) messages.reload(); }}>Send queued</button>}>
      <p class="muted small">Every email Canopy made for this account and the accounts below it. Without an SMTP server (CANOPY_SMTP_URL) they stay here.</p>
      {send.error && <p class="form-error" role="alert">{send.error.message}</p>}
      <Loaded state={messages} what="messages">
        {(list) => list.length === 0 ? <Empty>No emails yet.</Empty> : (
          <ul class="list">
            {list.map((m) => (
              <li key={m.id} class="stack">
                <span><StatusBadge status={m.status} /> <strong>{m.subject}</strong> <span class="muted">to {m.to} · {f.dateTime(m.created_at)}</span></span>
                {m.last_error && <span class="muted small">{m.last_error}</span>}
                <button type="button" class="link" onClick={() => setOpen(open === m.id ? null : m.id)}>{open === m.id ? 'Hide text' : 'Show text'}</button>
                {open === m.id && <pre class="mail-text">{m.text ?? 'This message carries a one-time link: its text is not shown here.'}</pre>}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Panel>
  );
}
