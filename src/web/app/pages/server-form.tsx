// Add or edit a print-management server: the connection is tested before a new server is saved.
import { useState } from 'preact/hooks';
import { patch, post } from '../api.ts';
import { Field, FormError } from '../components.tsx';
import { useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import type { ConnectionTest, Server } from '../types.ts';

const FIELDS = ['type', 'label', 'url', 'username', 'password', 'contact', 'partner_id', 'auth_url'] as const;

const LABELS: Record<Server['type'], { username: string; password: string; url: string }> = {
  printtracker: { username: 'Parent entity ID', password: 'API key', url: 'API URL (e.g. https://papi.printtrackerpro.com)' },
  pharos: { username: 'Username', password: 'Authorization key', url: 'API URL' },
  printix: { username: 'Client ID', password: 'Client secret', url: 'API URL' },
};

export function ServerForm({ api, server, onDone }: { api: PageProps['api']; server?: Server; onDone: (saved: boolean) => void }) {
  const [type, setType] = useState<Server['type']>(server?.type ?? 'printtracker');
  const [label, setLabel] = useState(server?.label ?? '');
  const [url, setUrl] = useState(server?.url ?? '');
  const [username, setUsername] = useState(server?.username ?? '');
  // The stored password is never sent to the browser: the field starts empty, and empty means "keep it".
  const [password, setPassword] = useState('');
  const [contact, setContact] = useState(server?.contact ?? '');
  const [partnerId, setPartnerId] = useState(server?.partner_id ?? '');
  const [authUrl, setAuthUrl] = useState(server?.auth_url ?? '');
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const labels = LABELS[type];

  const body = () => ({
    ...(server ? {} : { type }),
    label: label || (server ? null : undefined),
    url: url || undefined,
    // Pharos has no username: its label names the tenant (the authorization key identifies it).
    username: (type === 'pharos' ? label : username) || undefined,
    ...(password ? { password } : {}),
    contact: contact || undefined,
    ...(type === 'printix' ? { partner_id: partnerId || undefined, auth_url: authUrl || undefined } : {}),
  });

  const save = useSubmit(async (force: boolean) => {
    if (server) return patch<Server>(api(`/servers/${server.id}`), body());
    if (!force) {
      const result = await post<ConnectionTest>(api('/servers/test'), body());
      setTest(result);
      if (!result.ok) return undefined;
    }
    return post<Server>(api('/servers'), body());
  });

  const submit = async (force: boolean) => {
    const saved = await save.run(force);
    if (saved) onDone(true);
  };

  return (
    <form class="server-form" aria-label={server ? 'Edit server' : 'Add a server'} onSubmit={(e) => { e.preventDefault(); void submit(false); }}>
      {!server && (
        <Field label="Type" name="type" error={save.error} fields={FIELDS}>
          {(p) => (
            <select {...p} value={type} onChange={(e) => setType(e.currentTarget.value as Server['type'])}>
              <option value="printtracker">Print Tracker</option>
              <option value="pharos">Pharos Cloud</option>
              <option value="printix">Printix</option>
            </select>
          )}
        </Field>
      )}
      <Field label={type === 'pharos' ? 'Label (the tenant’s name)' : 'Label'} name="label" error={save.error} fields={FIELDS}
        hint="How this server is named in lists and the feed form, e.g. “Print Tracker – main office”.">
        {(p) => <input {...p} required={type === 'pharos'} maxLength={200} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />}
      </Field>
      <Field label={labels.url} name="url" error={save.error} fields={FIELDS}>
        {(p) => <input {...p} type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />}
      </Field>
      {type !== 'pharos' && (
        <Field label={labels.username} name="username" error={save.error} fields={FIELDS}>
          {(p) => <input {...p} autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />}
        </Field>
      )}
      <Field label={labels.password} name="password" error={save.error} fields={FIELDS}
        hint={server ? 'The stored value is never shown. Leave empty to keep it; type a new one to replace it.' : undefined}>
        {(p) => <input {...p} type="password" autoComplete="new-password" required={!server} placeholder={server ? '(unchanged)' : ''} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}
      </Field>
      {type === 'printix' && (
        <>
          <Field label="Partner ID" name="partner_id" error={save.error} fields={FIELDS}>
            {(p) => <input {...p} value={partnerId} onInput={(e) => setPartnerId(e.currentTarget.value)} />}
          </Field>
          <Field label="Token URL" name="auth_url" error={save.error} fields={FIELDS} hint="Leave empty for Printix's own, https://auth.printix.net/oauth/token.">
            {(p) => <input {...p} type="url" value={authUrl} onInput={(e) => setAuthUrl(e.currentTarget.value)} />}
          </Field>
        </>
      )}
      <Field label="Contact" name="contact" error={save.error} fields={FIELDS} hint="Who to call when this server is unhealthy.">
        {(p) => <input {...p} value={contact} onInput={(e) => setContact(e.currentTarget.value)} />}
      </Field>
      <FormError error={save.error} fields={FIELDS} />
      {test && !test.ok && (
        <div class="form-error" role="alert">
          <p>Connection test failed ({test.result.replace(/_/g, ' ')}): {test.message}</p>
          <button type="button" onClick={() => void submit(true)}>Save anyway</button>
        </div>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={save.busy}>{save.busy ? (server ? 'Saving…' : 'Testing…') : server ? 'Save changes' : 'Test and save'}</button>
        <button type="button" onClick={() => onDone(false)}>Cancel</button>
      </div>
    </form>
  );
}
