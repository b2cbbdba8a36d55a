// After a sign-in that opened several accounts (one email, one password, a user in each): pick the one to act for.
import { post } from '../api.ts';
import { FormError, StatusBadge } from '../components.tsx';
import { useSubmit } from '../hooks.ts';
import type { Session } from '../types.ts';

const ROLE_WORDS: Record<string, string> = { admin: 'installation admin', channel: 'dealer', customer: 'customer' };

export function ChooseAccountPage({ session, onChosen, onSignOut }: { session: Session; onChosen: (s: Session) => void; onSignOut: () => void }) {
  const submit = useSubmit((accountId: string) => post<Session>('/auth/session/account', { account_id: accountId }));
  const choose = async (accountId: string) => {
    const s = await submit.run(accountId);
    if (s) onChosen(s);
  };
  return (
    <main class="centered">
      <section class="card auth" aria-labelledby="choose-title">
        <p class="brand">Canopy</p>
        <h1 id="choose-title">Choose an account</h1>
        <p class="muted">{session.user.email} signs in to {session.accounts.length} accounts. Which one do you want to work in?</p>
        <ul class="choices">
          {session.accounts.map((a) => (
            <li key={a.id}>
              <button type="button" class={a.id === session.account.id && session.account_chosen ? 'primary' : ''} disabled={submit.busy} onClick={() => choose(a.id)}>
                {a.name}
              </button>
              <span class="muted small"> {ROLE_WORDS[a.role] ?? a.role}</span>
              {a.status !== 'active' && <> <StatusBadge status={a.status} /></>}
            </li>
          ))}
        </ul>
        <FormError error={submit.error} fields={[]} />
        <button type="button" class="link" onClick={onSignOut}>Sign out</button>
      </section>
    </main>
  );
}
