// A whole dashboard session in Chromium with the server logging at debug level: invitation link, set
// password, sign out and in, every page, a new user's link and a new API key. No secret issued along
// the way (link tokens, the password, the session cookie, the CSRF token, API keys) is in any log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsSkipped, openTab, startSite, WEB_BUILT, type Site } from './harness.ts';

describe.skipIf(browserTestsSkipped !== null)('no secret reaches the server log in a whole browser session', () => {
  let site: Site;
  beforeAll(async () => {
    expect(WEB_BUILT, 'dist/web is built by npm install (npm run build:web)').toBe(true);
    site = await startSite({ LOG_LEVEL: 'debug' }, { captureLogs: true });
  }, 120_000);
  afterAll(async () => site?.close());

  it('logs every request of the session, and none of its secrets', async () => {
    const dealer = await site.account('Logged Dealer Co');
    await site.account('Logged Customer', dealer.key);
    const secrets: Record<string, string> = { 'dealer API key': dealer.key, 'root API key': site.rootKey };
    const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

    const { page, context, errors } = await openTab(site);
    const link = await site.invite(dealer.id, 'lee@logged.example');
    secrets['invitation token'] = tokenOf(link);
    const password = 'logged forest 2021';
    secrets.password = password;
    await page.goto(link);
    await page.getByText('lee@logged.example').waitFor();
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the password').fill(password);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await page.getByRole('heading', { name: /Overview/ }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill('lee@logged.example');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Overview/ }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name.includes('canopy_session'));
    expect(cookie).toBeDefined();
    secrets['session cookie'] = cookie!.value;
    secrets['CSRF token'] = await page.evaluate(async () => ((await (await fetch('/auth/session')).json()) as { csrf_token: string }).csrf_token);

    for (const name of ['Accounts', 'Integrations', 'Customer', 'Users & API keys']) {
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { name: new RegExp(name.replace('&', '\\&')) }).waitFor();
    }
    await page.getByRole('form', { name: 'Invite a user' }).getByLabel('Email').fill('sam@logged.example');
    await page.getByRole('button', { name: 'Invite user' }).click();
    secrets['new user\'s link token'] = tokenOf((await page.getByTestId('shown-once').first().innerText()).trim());
    await page.getByLabel('Label').fill('nightly export');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText(/API key .*…/).waitFor();
    secrets['API key made on the page'] = (await page.getByTestId('shown-once').last().innerText()).trim();
    expect((await fetch(`${site.url}/v1/account`, { headers: { authorization: `Bearer ${secrets['API key made on the page']}` } })).status).toBe(200);

    // The new user opens its link (the page asks /auth/password-links/<token>) in another browser.
    const other = await openTab(site);
    await other.page.goto(`${site.url}/set-password?token=${encodeURIComponent(secrets['new user\'s link token'])}`);
    await other.page.getByText('sam@logged.example').waitFor();
    await other.context.close();

    // An ?account= that is not an account id is refused by the page, never put into an API path.
    const odd: string[] = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/v1/') && !['/v1/account', '/v1/users', '/v1/keys', '/v1/invitations'].includes(pathname)) odd.push(r.url());
    });
    for (const account of ['..%2Fkeys', 'not-an-id']) {
      await page.goto(`${site.url}/users?account=${account}`);
      await page.getByRole('alert').filter({ hasText: 'account must be an account id' }).waitFor();
    }
    expect(odd).toEqual([]);
    expect(errors).toEqual([]);

    // Every request was logged (URL and all), and the secret path segment as [redacted].
    const urls = site.logs.map((line) => JSON.parse(line) as { req?: { url?: string } }).map((l) => l.req?.url).filter(Boolean);
    expect(urls).toContain('/auth/password-links/[redacted]');
    expect(urls.some((u) => u!.startsWith('/set-password?token=[redacted]'))).toBe(true);
    expect(urls).toContain('/v1/keys');
    expect(site.logs.length).toBeGreaterThan(50);
    const leaks = Object.entries(secrets).flatMap(([name, secret]) => {
      expect(secret.length, name).toBeGreaterThanOrEqual(10);
      const forms = [secret, encodeURIComponent(secret)];
      return site.logs.filter((line) => forms.some((f) => line.includes(f))).map((line) => `${name}: ${line}`);
    });
    expect(leaks).toEqual([]);
  }, 120_000);
});
