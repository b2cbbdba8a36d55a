// Sign in with email and password.
import { useState } from 'preact/hooks';
import { ApiError, get, post } from '../api.ts';
import { Field, FormError } from '../components.tsx';
import { useSubmit } from '../hooks.ts';
import type { Session } from '../types.ts';

const FIELDS = ['email', 'password'] as const;

export function SignInPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit(async () => {
    await post<Session>('/auth/sign-in', { email, password });
    // The cookie is Secure: a browser on plain HTTP (other than localhost) drops it without a word.
    const kept = await get<Session | undefined>('/auth/session');
    if (!kept) throw new ApiError(0, 'Signed in, but this browser did not keep the session cookie: open Canopy over HTTPS (or on localhost).');
    return kept;
  });
  return (
    <main class="centered">
      <form
        class="card auth"
        aria-labelledby="sign-in-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const s = await submit.run();
          if (s) onSignedIn(s);
        }}
      >
        <p class="brand">Canopy</p>
        <h1 id="sign-in-title">Sign in</h1>
        <Field label="Email" name="email" error={submit.error} fields={FIELDS}>
          {(p) => <input {...p} type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />}
        </Field>
        <Field label="Password" name="password" error={submit.error} fields={FIELDS}>
          {(p) => <input {...p} type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />}
        </Field>
        <FormError error={submit.error} fields={FIELDS} />
        <button type="submit" class="primary" disabled={submit.busy}>{submit.busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="small"><a href="/forgot-password">Forgot your password?</a></p>
        <p class="muted small">No password yet? Ask whoever manages your account for an invitation link.</p>
      </form>
    </main>
  );
}
