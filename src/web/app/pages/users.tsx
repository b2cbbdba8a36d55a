// Users and API keys of the viewed account: invite (one-time link), remove; create keys (shown once), revoke.
import { useState } from 'preact/hooks';
import { del, post, get } from '../api.ts';
import { Empty, Field, FormError, Loaded, Panel, ShownOnce } from '../components.tsx';
import * as f from '../format.ts';
import { useLoad, useSubmit } from '../hooks.ts';
import type { PageProps } from '../layout.tsx';
import type { ApiKey, User } from '../types.ts';

interface PasswordLink { user_id: string; email: string; url: string; expires_at: string }
interface CreatedKey extends ApiKey { key: string }

export function UsersPage({ api, session }: PageProps) {
  return (
    <div class="grid two">
      <Users api={api} me={session.user.id} />
      <Keys api={api} />
    </div>
  );
}

const INVITE_FIELDS = ['email', 'name'] as const;

function Users({ api, me }: { api: PageProps['api']; me: string }) {
  const users = useLoad(() => get<User[]>(api('/users')), [api('')]);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [link, setLink] = useState<PasswordLink | null>(null);
  const invite = useSubmit(async () => {
    const user = await post<User>(api('/users'), { email, name: name || null });
    return post<PasswordLink>(api(`/users/${user.id}/password-link`));
  });
  const relink = useSubmit((id: string) => post<PasswordLink>(api(`/users/${id}/password-link`)));
  const remove = useSubmit((id: string) => del(api(`/users/${id}`)));
  return (
    <Panel title="Users" id="users-title">
      <form class="stack" aria-label="Invite a user" onSubmit={async (e) => {
        e.preventDefault();
        const made = await invite.run();
        if (made) { setLink(made); setEmail(''); setName(''); users.reload(); }
      }}>
        <Field label="Email" name="email" error={invite.error} fields={INVITE_FIELDS}>
          {(p) => <input {...p} type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />}
        </Field>
        <Field label="Name" name="name" error={invite.error} fields={INVITE_FIELDS}>
          {(p) => <input {...p} value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <FormError error={invite.error} fields={INVITE_FIELDS} />
        <button type="submit" class="primary" disabled={invite.busy}>Invite user</button>
      </form>
      {link && <ShownOnce label={`Sign-in link for ${link.email} (works once, until ${f.dateTime(link.expires_at)})`} value={link.url} />}
      {relink.error && <p class="form-error" role="alert">{relink.error.message}</p>}
      {remove.error && <p class="form-error" role="alert">{remove.error.message}</p>}
      <Loaded state={users} what="users">
        {(list) => list.length === 0 ? <Empty>No users yet: invite one above.</Empty> : (
          <ul class="list">
            {list.map((u) => (
              <li key={u.id}>
                <span><strong>{u.name ?? u.email}</strong>{u.name && <span class="muted"> {u.email}</span>}</span>
                <span class="actions">
                  <button type="button" onClick={async () => { const l = await relink.run(u.id); if (l) setLink(l); }}>New sign-in link</button>
                  {u.id !== me && (
                    <button type="button" class="danger" onClick={async () => {
                      if (confirm(`Remove ${u.email}? They can no longer sign in.`)) { await remove.run(u.id); users.reload(); }
                    }}>Remove</button>
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Panel>
  );
}

function Keys({ api }: { api: PageProps['api'] }) {
  const keys = useLoad(() => get<ApiKey[]>(api('/keys')), [api('')]);
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useSubmit(() => post<CreatedKey>(api('/keys'), { label: label || null }));
  const revoke = useSubmit((id: string) => del(api(`/keys/${id}`)));
  return (
    <Panel title="API keys" id="keys-title">
      <form class="stack" aria-label="Create an API key" onSubmit={async (e) => {
        e.preventDefault();
        const key = await create.run();
        if (key) { setCreated(key); setLabel(''); keys.reload(); }
      }}>
        <Field label="Label" name="label" error={create.error} fields={['label']} hint="What the key is for, e.g. “billing export”.">
          {(p) => <input {...p} value={label} onInput={(e) => setLabel(e.currentTarget.value)} />}
        </Field>
        <FormError error={create.error} fields={['label']} />
        <button type="submit" class="primary" disabled={create.busy}>Create key</button>
      </form>
      {created && <ShownOnce label={`API key ${created.prefix}…`} value={created.key} />}
      {revoke.error && <p class="form-error" role="alert">{revoke.error.message}</p>}
      <Loaded state={keys} what="API keys">
        {(list) => list.length === 0 ? <Empty>No API keys for this account.</Empty> : (
          <ul class="list">
            {list.map((k) => (
              <li key={k.id}>
                <span><code>{k.prefix}…</code> {k.label ?? <span class="muted">no label</span>}
                  <span class="muted small"> · created {f.day(k.created_at)}{k.revoked_at ? ` · revoked ${f.day(k.revoked_at)}` : ''}</span></span>
                {!k.revoked_at && (
                  <button type="button" class="danger" onClick={async () => {
                    if (confirm(`Revoke key ${k.prefix}…? Programs using it stop working at once.`)) { await revoke.run(k.id); keys.reload(); }
                  }}>Revoke</button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Panel>
  );
}
