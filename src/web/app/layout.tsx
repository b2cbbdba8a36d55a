// The signed-in frame: navigation, the account being viewed (own or a descendant), sign-out, the page.
import { post, get, scoped } from './api.ts';
import { ErrorState } from './components.tsx';
import { useLoad } from './hooks.ts';
import { pageHref, type Location } from './router.ts';
import { AccountsPage } from './pages/accounts.tsx';
import { CustomerPage } from './pages/customer.tsx';
import { IntegrationsPage } from './pages/integrations.tsx';
import { ImportsPage } from './pages/imports.tsx';
import { OverviewPage } from './pages/overview.tsx';
import { UsersPage } from './pages/users.tsx';
import { EmailPage } from './pages/email.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import type { ExpandedAccount, Session } from './types.ts';

export interface PageProps {
  session: Session;
  /** The account viewed: null is the user's own. */
  accountId: string | null;
  /** /v1 path for the viewed account. */
  api: (path: string) => string;
  account: ExpandedAccount;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PAGES = [
  { path: '/', title: 'Overview', component: OverviewPage },
  { path: '/accounts', title: 'Accounts', component: AccountsPage },
  { path: '/integrations', title: 'Integrations', component: IntegrationsPage },
  { path: '/imports', title: 'Imports', component: ImportsPage },
  { path: '/customer', title: 'Customer', component: CustomerPage },
  { path: '/users', title: 'Users & API keys', component: UsersPage },
  { path: '/webhooks', title: 'Webhooks', component: WebhooksPage },
  { path: '/notifications', title: 'Email', component: EmailPage },
] as const;

export function Layout({ session, location, onSignedOut }: { session: Session; location: Location; onSignedOut: () => void }) {
  const requested = location.params.get('account');
  // The id goes into API paths: anything but a UUID ("../keys", a query) is refused here, not sent.
  const badAccount = requested !== null && !UUID.test(requested);
  const accountId = requested && !badAccount && requested !== session.account.id ? requested : null;
  const api = scoped(accountId);
  const account = useLoad(() => get<ExpandedAccount>(api('/account')), [accountId]);
  const page = PAGES.find((p) => p.path === location.path) ?? PAGES[0];
  const Page = page.component;
  const signOut = async () => {
    await post('/auth/sign-out').catch(() => undefined);
    onSignedOut();
  };
  document.title = `${page.title} · Canopy`;
  return (
    <div class="frame">
      <header class="top">
        <a class="brand" href={pageHref('/', accountId)}>Canopy</a>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={pageHref(p.path, accountId)} aria-current={p.path === page.path ? 'page' : undefined}>{p.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span title={session.user.email}>{session.user.name ?? session.user.email}</span>
          {session.accounts.length > 1 && <a href="/choose-account">Switch account</a>}
          <button type="button" class="link" onClick={signOut}>Sign out</button>
        </div>
      </header>
      {accountId && (
        <p class="viewing" role="status">
          Viewing <strong>{account.data?.display_name ?? '…'}</strong> as {session.account.name}.{' '}
          <a href={location.path}>Back to {session.account.name}</a>
        </p>
      )}
      <main id="main">
        <h1>{page.title}{account.data ? <span class="subtitle"> · {account.data.display_name}</span> : null}</h1>
        {badAccount ? (
          <p class="state error" role="alert">
            The address names no account (<code>account</code> must be an account id).{' '}
            <a href={location.path}>Back to {session.account.name}</a>
          </p>
        ) : account.error ? (
          <ErrorState error={account.error} retry={account.reload} />
        ) : account.data ? (
          <Page session={session} accountId={accountId} api={api} account={account.data} key={`${accountId}:${page.path}`} />
        ) : (
          <p class="state loading" role="status">Loading the account…</p>
        )}
      </main>
    </div>
  );
}
