// Starts the dashboard: finds the session, then shows sign-in or the page the URL names.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, post, setCsrfToken, whenSignedOut } from './api.ts';
import { Layout } from './layout.tsx';
import { interceptLinks, navigate, useLocation } from './router.ts';
import { ChooseAccountPage } from './pages/choose-account.tsx';
import { SetPasswordPage } from './pages/set-password.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { ForgotPasswordPage } from './pages/forgot-password.tsx';
import type { Session } from './types.ts';
import './styles.css';

function App() {
  const location = useLocation();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [failed, setFailed] = useState<string | null>(null);

  const signedIn = (s: Session | null) => {
    setCsrfToken(s?.csrf_token ?? null);
    setSession(s);
  };

  useEffect(() => {
    whenSignedOut(() => signedIn(null));
    get<Session | undefined>('/auth/session').then(
      (s) => signedIn(s ?? null),
      (e: Error) => setFailed(e.message),
    );
  }, []);

  if (location.path === '/set-password') {
    return <SetPasswordPage token={location.params.get('token') ?? ''} onSignedIn={(s) => { signedIn(s); navigate('/', true); }} />;
  }
  if (location.path === '/forgot-password') return <ForgotPasswordPage />;
  if (failed) return <main class="centered"><p class="state error" role="alert">{failed}</p></main>;
  if (session === undefined) return <main class="centered"><p class="state loading" role="status">Loading…</p></main>;
  if (session === null) {
    const next = location.path === '/sign-in' ? '/' : location.path + window.location.search;
    return <SignInPage onSignedIn={(s) => { signedIn(s); navigate(next, true); }} />;
  }
  const signedOut = () => { signedIn(null); navigate('/sign-in', true); };
  // A sign-in that opened several accounts acts for none until the person picks one; /choose-account switches later.
  if (!session.account_chosen || location.path === '/choose-account') {
    return (
      <ChooseAccountPage
        session={session}
        onChosen={(s) => { signedIn(s); navigate(location.path === '/choose-account' ? '/' : location.path + window.location.search, true); }}
        onSignOut={async () => { await post('/auth/sign-out').catch(() => undefined); signedOut(); }}
      />
    );
  }
  return <Layout session={session} location={location} onSignedOut={signedOut} />;
}

const root = document.getElementById('app')!;
interceptLinks(root);
root.textContent = '';
render(<App />, root);
