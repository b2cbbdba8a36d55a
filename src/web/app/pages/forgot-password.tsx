// "Forgot password": asks for an email and says the same thing whether or not it is known.
import { useState } from 'preact/hooks';
import { post } from '../api.ts';
import { Field, FormError } from '../components.tsx';
import { useSubmit } from '../hooks.ts';

const FIELDS = ['email'] as const;

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const submit = useSubmit(() => post<{ message: string }>('/auth/password-reset', { email }));
  return (
    <main class="centered">
      <form class="card auth" aria-labelledby="forgot-title" onSubmit={async (e) => {
        e.preventDefault();
        const answer = await submit.run();
        if (answer) setSent(answer.message);
      }}>
        <p class="brand">Canopy</p>
        <h1 id="forgot-title">Reset your password</h1>
        {sent ? <p role="status">{sent}</p> : (
          <>
            <p class="muted small">Enter the email you sign in with: a one-time link to choose a new password is emailed to it.</p>
            <Field label="Email" name="email" error={submit.error} fields={FIELDS}>
              {(p) => <input {...p} type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />}
            </Field>
            <FormError error={submit.error} fields={FIELDS} />
            <button type="submit" class="primary" disabled={submit.busy}>Email me a link</button>
          </>
        )}
        <p class="small"><a href="/sign-in">Back to sign in</a></p>
      </form>
    </main>
  );
}
