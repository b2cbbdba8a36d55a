// Names a person reads instead of ids: a label on every server type, the upstream's name stored with every feed,
// and a dealer's certificates across its customers, each with its account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMonth } from '../../src/ledger/month-close.ts';
import { collectionWorld, settle, type World } from './helpers.ts';
import { storeName } from '../helpers/harness.ts';

describe(`server labels and feed names (${storeName})`, () => {
  let w: World;
  let dealer: { id: string; key: string };
  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-03-10T12:00:00Z', sandbox: { start: '2025-01-01' } });
    dealer = await w.t.account('Dealer names');
  });
  afterAll(async () => w.close());

  const post = (url: string, body: unknown, key = dealer.key) => w.t.json(url, { method: 'POST', key, body });
  const requests = async () => ((await (await fetch(`${w.sb.printtracker.url}/__sandbox/stats`)).json()) as { total: number }).total;

  it('keeps a label on every server type; a Pharos label names its tenant when no username is given', async () => {
    const pt = w.sb.printtracker;
    const printTracker = await post('/v1/servers', { type: 'printtracker', label: ' Main office ', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey });
    expect(printTracker).toMatchObject({ label: 'Main office', username: pt.dealerEntityId });
    const [a, b] = w.sb.pharos.tenants;
    const pharosA = await post('/v1/servers', { type: 'pharos', label: a.name, url: w.sb.pharos.url, password: a.key });
    const pharosB = await post('/v1/servers', { type: 'pharos', label: b.name, url: w.sb.pharos.url, password: b.key });
    expect([pharosA.label, pharosA.username, pharosB.label]).toEqual([a.name, a.name, b.name]);
    const px = w.sb.printix;
    const printix = await post('/v1/servers', {
      type: 'printix', label: 'Printix partner', url: px.url, auth_url: `${px.authUrl}/oauth/token`, username: px.clientId, password: px.clientSecret, partner_id: px.partnerId,
    });
    expect(printix.label).toBe('Printix partner');
    const listed = await w.t.json('/v1/servers', { key: dealer.key });
    expect(listed.map((s: { label: string }) => s.label).sort()).toEqual([a.name, b.name, 'Main office', 'Printix partner'].sort());

    // A new label changes no credentials: the server's health stands.
    await settle(w.t);
    const checked = await w.t.json(`/v1/servers/${printTracker.id}`, { key: dealer.key });
    const renamed = await w.t.json(`/v1/servers/${printTracker.id}`, { method: 'PATCH', key: dealer.key, body: { label: 'Head office' } });
    expect(renamed).toMatchObject({ label: 'Head office', health_check: checked.health_check, health_check_checked_at: checked.health_check_checked_at });
    const cleared = await w.t.json(`/v1/servers/${printTracker.id}`, { method: 'PATCH', key: dealer.key, body: { label: null } });
    expect(cleared.label).toBeNull();
    const tooLong = await w.t.call('/v1/servers', { method: 'POST', key: dealer.key, body: { type: 'pharos', label: 'x'.repeat(201), url: w.sb.pharos.url, password: a.key } });
    expect(tooLong.statusCode).toBe(400);
    expect(JSON.parse(tooLong.body).error).toMatch(/label/);
    await settle(w.t);
  });

  it('stores the upstream\'s name of the entity when a feed is made or moved without external_name', async () => {
    const pt = w.sb.printtracker;
    const server = await post('/v1/servers', { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey });
    const entities = await w.t.json(`/v1/servers/${server.id}/entities`, { key: dealer.key });
    const nameOf = (id: string) => entities.find((e: { id: string }) => e.id === id).name as string;
    const customer = await w.t.account('Named customer', { key: dealer.key });
    const later = '2025-04-01';
    const feed = await post(`/v1/accounts/${customer.id}/feeds`, { server_id: server.id, external_id: pt.customerEntityIds[0], activated_at: later });
    expect(feed.external_name).toBe(nameOf(pt.customerEntityIds[0]));
    const moved = await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { method: 'PATCH', key: dealer.key, body: { external_id: pt.customerEntityIds[1] } });
    expect(moved.external_name).toBe(nameOf(pt.customerEntityIds[1]));
    const given = await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { method: 'PATCH', key: dealer.key, body: { external_name: 'Front desk' } });
    expect(given.external_name).toBe('Front desk');

    const pharos = await post('/v1/servers', { type: 'pharos', label: 'Tenant label', url: w.sb.pharos.url, password: w.sb.pharos.tenants[2].key });
    const pharosFeed = await post(`/v1/accounts/${customer.id}/feeds`, { server_id: pharos.id, external_id: 'tenant', activated_at: later });
    expect(pharosFeed.external_name).toBe('Tenant label');
    await settle(w.t);
  });

  it('asks no upstream about a server the caller may not use: 404, and not one request sent', async () => {
    const pt = w.sb.printtracker;
    const other = await w.t.account('Other dealer names');
    const theirs = await post('/v1/servers', { type: 'printtracker', url: pt.url, username: pt.dealerEntityId, password: pt.apiKey }, other.key);
    await settle(w.t);
    const customer = await w.t.account('Curious customer', { key: dealer.key });
    const before = await requests();
    const res = await w.t.call(`/v1/accounts/${customer.id}/feeds`, {
      method: 'POST', key: dealer.key, body: { server_id: theirs.id, external_id: pt.customerEntityIds[2], activated_at: '2025-04-01' },
    });
    expect(res.statusCode).toBe(404);
    expect(await requests()).toBe(before);
  });
});

describe(`certificates across a dealer's customers (${storeName})`, () => {
  let w: World;
  beforeAll(async () => {
    w = await collectionWorld({ now: '2025-03-10T12:00:00Z' });
  });
  afterAll(async () => w.close());

  it('lists the subtree\'s certificates newest first, each with its account name; the default list stays the account\'s own', async () => {
    const t = w.t;
    const dealer = await t.account('Certificate dealer');
    const acme = await t.account('Acme', { key: dealer.key });
    const birch = await t.account('Birch', { key: dealer.key });
    const outsider = await t.account('Outsider');
    for (const [account, pages, date] of [[acme, 16_666, '2025-01-05'], [birch, 8_333, '2025-01-20'], [acme, 8_333, '2025-02-03'], [outsider, 100, '2025-02-04']] as const) {
      await t.json(`/v1/accounts/${account.id}/deposits`, { method: 'POST', key: t.rootKey, body: { pages, date }, expect: 201 });
    }
    for (const month of ['2025-01', '2025-02'] as const) await closeMonth(t.db, month, { clock: t.clock.read, graceDays: 2 });

    const all = await t.json('/v1/certificates?include_descendants=true', { key: dealer.key });
    const rows = all.map((c: { account_name: string; date: string; pages: number }) => [c.account_name, c.date, c.pages]);
    expect(rows[0]).toEqual(['Acme', '2025-02-28T23:59:59Z', 8_333]);
    // January's two certificates share the month's last second; both follow February's.
    expect(rows.slice(1)).toEqual(expect.arrayContaining([['Acme', '2025-01-31T23:59:59Z', 16_666], ['Birch', '2025-01-31T23:59:59Z', 8_333]]));
    expect(rows).toHaveLength(3);
    expect(all.every((c: { account_id: string }) => [acme.id, birch.id].includes(c.account_id))).toBe(true);
    expect(await t.json('/v1/certificates', { key: dealer.key })).toEqual([]);
    const own = await t.json('/v1/certificates', { key: acme.key });
    expect(own).toHaveLength(2);
    expect(own[0]).not.toHaveProperty('account_name');
    // A customer's key sees its own subtree only; limit and date range apply as on the plain list.
    expect((await t.json('/v1/certificates?include_descendants=true', { key: birch.key })).map((c: { account_name: string }) => c.account_name)).toEqual(['Birch']);
    expect(await t.json('/v1/certificates?include_descendants=true&limit=1', { key: dealer.key })).toHaveLength(1);
    expect(await t.json('/v1/certificates?include_descendants=true&start_date=2025-02-01', { key: dealer.key })).toHaveLength(1);
    expect((await t.call('/v1/certificates?include_descendants=maybe', { key: dealer.key })).statusCode).toBe(400);
  });
});
