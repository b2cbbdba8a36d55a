// The page a one-time invitation (or reset) link opens: choose a password, then you are signed in.
import { useState } from 'preact/hooks';
import { ApiError, get, post } from '../api.ts';
import { ErrorState, Field, FormError, Loading } from '../components.tsx';
import { useLoad, useSubmit } from '../hooks.ts';
import type { Session } from '../types.ts';

const FIELDS = ['password', 'confirm'] as const;

export function SetPasswordPage({ token, onSignedIn }: { token: string; onSignedIn: (s: Session) => void }) {
  const link = useLoad(() => get<{ email: string; account_name: string; expires_at: string }>(`/auth/password-links/${encodeURIComponent(token || '-')}`), [token]);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const submit = useSubmit(async () => {
    if (password !== confirm) throw new ApiError(400, 'confirm must match the password');
    return post<Session>('/auth/password', { token, password });
  });
  return (
    <main class="centered">
      <div class="card auth">
        <p class="brand">Canopy</p>
        <h1>Set your password</h1>
        {link.error ? (
          <ErrorState error={link.error} />
        ) : !link.data ? (
          <Loading what="your invitation" />
        ) : (
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const s = await submit.run();
              if (s) onSignedIn(s);
            }}
          >
            <p>For <strong>{link.data.email}</strong> at {link.data.account_name}. This link works once, until {link.data.expires_at.slice(0, 16).replace('T', ' ')} UTC.</p>
            <input type="email" name="username" autoComplete="username" value={link.data.email} hidden readOnly />
            <Field label="Password" name="password" error={submit.error} fields={FIELDS} hint="At least 10 characters.">
              {(p) => <input {...p} type="password" autoComplete="new-password" required minLength={10} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}
            </Field>
            <Field label="Repeat the password" name="confirm" error={submit.error} fields={FIELDS}>
              {(p) => <input {...p} type="password" autoComplete="new-password" required value={confirm} onInput={(e) => setConfirm(e.currentTarget.value)} />}
            </Field>
            <FormError error={submit.error} fields={FIELDS} />
            <button type="submit" class="primary" disabled={submit.busy}>{submit.busy ? 'Saving…' : 'Set password and sign in'}</button>
          </form>
        )}
      </div>
    </main>
  );
}
