// The servers and feeds API as a dealer meets it: validation that names the field, addresses Canopy refuses to
// fetch, write-only passwords, feed rules, the /sources alias, and feed health over a weekend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverAccess } from '../../src/integrations/servers-service.ts';
import { createTestApp, storeName, type TestApp } from '../helpers/harness.ts';
import { collectionWorld, settle, type World } from './helpers.ts';

const PT_KEY = 'a97153a6-f975-4826-a63e-03fe618b4531';
const DEALER_ENTITY = 'ae6456e192cf03114696de54';

describe(`servers and feeds API (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  let other: { id: string; key: string };

  beforeAll(async () => {
    // papi.printtrackerpro.com does not resolve here: one attempt per request keeps the feed's first run short.
    t = await createTestApp({ env: { CANOPY_UPSTREAM_ATTEMPTS: '1' } });
    dealer = await t.account('Dealer API');
    other = await t.account('Other dealer');
  });
  afterAll(async () => t.close());

  const post = (url: string, body: unknown, key = dealer.key) => t.call(url, { method: 'POST', key, body });
  const error = (res: { body: string }) => JSON.parse(res.body).error as string;
  const pt = (extra: Record<string, unknown> = {}) => ({ type: 'printtracker', username: DEALER_ENTITY, password: PT_KEY, ...extra });

  it('refuses types it does not support, naming the supported ones', async () => {
    const res = await post('/v1/servers', { type: 'printfleet', url: 'https://myprintfleetserver.com', username: 'u', password: 'p' });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 400, error: expect.stringMatching(/type must be one of: printtracker, pharos, printix/) });
  });

  it.each([
    [{ username: 'not-an-entity' }, /username must be your Print Tracker dealer/],
    [{ password: 'secret' }, /password must be your Print Tracker API key: a UUID/],
    [{ url: 'http://papi.printtrackerpro.com' }, /url must use https/],
    [{ url: 'https://user:pw@papi.printtrackerpro.com' }, /url must not contain credentials/],
    [{ url: 'https://127.0.0.1' }, /loopback, private, link-local or metadata/],
    [{ url: 'https://10.1.2.3:8443' }, /loopback, private, link-local or metadata/],
    [{ url: 'https://169.254.169.254/latest' }, /loopback, private, link-local or metadata/],
    [{ url: 'https://[::1]' }, /loopback, private, link-local or metadata/],
    [{ url: 'https://localhost' }, /loopback, private, link-local or metadata/],
    [{ partner_id: 'x' }, /partner_id is only for Printix servers/],
  ])('refuses %o with a 400 naming the rule', async (patch, message) => {
    const res = await post('/v1/servers', pt(patch));
    expect(res.statusCode).toBe(400);
    expect(error(res)).toMatch(message);
  });

  it('keeps the password write-only: never in a response, sealed at rest, kept when a PATCH leaves it out', async () => {
    const created = await t.json('/v1/servers', { method: 'POST', key: dealer.key, body: pt({ contact: 'ops@dealer.example' }) });
    expect(created).toMatchObject({ type: 'printtracker', url: 'https://papi.printtrackerpro.com', username: DEALER_ENTITY, health_check: 'pending' });
    const seen = JSON.stringify([created, await t.json('/v1/servers', { key: dealer.key }), await t.json(`/v1/servers/${created.id}`, { key: dealer.key })]);
    expect(seen).not.toContain(PT_KEY);
    expect(seen).not.toContain('password');
    const patched = await t.json(`/v1/servers/${created.id}`, { method: 'PATCH', key: dealer.key, body: { contact: 'noc@dealer.example' } });
    expect(patched.contact).toBe('noc@dealer.example');
    expect((await serverAccess(t.db, t.app.collection.secrets, created.id)).access.password).toBe(PT_KEY);
    const [row] = await t.db.query<Record<string, unknown>>(`SELECT * FROM servers WHERE id = $1`, [created.id]);
    expect(JSON.stringify(row)).not.toContain(PT_KEY);
    // Bound to its row: the sealed text of one server does not open as another's.
    const copy = await t.json('/v1/servers', { method: 'POST', key: dealer.key, body: pt() });
    await t.db.query(`UPDATE servers SET password_ciphertext = $2 WHERE id = $1`, [copy.id, row.password_ciphertext]);
    const unreadable = await t.call(`/v1/servers/${copy.id}/test`, { method: 'POST', key: dealer.key });
    expect(unreadable.statusCode).toBe(409);
    expect(error(unreadable)).toMatch(/cannot be decrypted/);
  });

  it('maps feeds only to servers of the account or its ancestors, once per entity, and answers /sources alike', async () => {
    const server = await t.json('/v1/servers', { method: 'POST', key: dealer.key, body: pt() });
    const foreign = await t.json('/v1/servers', { method: 'POST', key: other.key, body: pt() });
    const customer = await t.account('Feed customer', { key: dealer.key });
    t.clock.set('2021-03-18T10:00:00Z');
    const feed = await t.json(`/v1/accounts/${customer.id}/feeds`, { method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: 'aaaaaaaaaaaaaaaaaaaaaaaa' } });
    expect(feed).toMatchObject({
      account_id: customer.id, type: 'printtracker', server_id: server.id, collection_scope: 'all', status: 'active',
      activated_at: '2021-03-01T00:00:00Z', deactivated_at: null, health_check: expect.stringMatching(/pending|offline/),
    });
    await t.app.collection.idle();
    expect(await t.json(`/v1/accounts/${customer.id}/sources`, { key: dealer.key })).toEqual(await t.json(`/v1/accounts/${customer.id}/feeds`, { key: dealer.key }));
    expect((await t.json(`/v1/feeds?include_descendants=true`, { key: dealer.key })).map((f: { id: string }) => f.id)).toContain(feed.id);
    expect(await t.json(`/v1/feeds`, { key: dealer.key })).toEqual([]);

    const twice = await post(`/v1/accounts/${customer.id}/feeds`, { server_id: server.id, external_id: 'aaaaaaaaaaaaaaaaaaaaaaaa' });
    expect(twice.statusCode).toBe(409);
    const otherDealers = await post(`/v1/accounts/${customer.id}/feeds`, { server_id: foreign.id, external_id: 'bbbbbbbbbbbbbbbbbbbbbbbb' });
    expect(otherDealers.statusCode).toBe(404);
    expect(error(otherDealers)).toBe('Server not found');
    const outside = await post(`/v1/accounts/${other.id}/feeds`, { server_id: server.id, external_id: 'cccccccccccccccccccccccc' });
    expect(outside.statusCode).toBe(404);
    const wrongType = await post(`/v1/accounts/${customer.id}/feeds`, { server_id: server.id, external_id: 'dddddddddddddddddddddddd', type: 'pharos' });
    expect(wrongType.statusCode).toBe(400);
    expect(error(wrongType)).toMatch(/type must be printtracker/);
    const badDate = await post(`/v1/accounts/${customer.id}/feeds`, { server_id: server.id, external_id: 'eeeeeeeeeeeeeeeeeeeeeeee', activated_at: 'yesterday' });
    expect(badDate.statusCode).toBe(400);
    expect(error(badDate)).toMatch(/activated_at/);

    const inUse = await t.call(`/v1/servers/${server.id}`, { method: 'DELETE', key: dealer.key });
    expect(inUse.statusCode).toBe(409);
    const off = await t.json(`/v1/accounts/${customer.id}/sources/${feed.id}/deactivate`, { method: 'POST', key: dealer.key, expect: 200 });
    expect(off).toMatchObject({ status: 'inactive', deactivated_at: '2021-03-18T10:00:00Z' });
    await t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { method: 'DELETE', key: dealer.key, expect: 200 });
    expect((await t.call(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { key: dealer.key })).statusCode).toBe(404);
    await t.json(`/v1/servers/${server.id}`, { method: 'DELETE', key: dealer.key, expect: 200 });
  });
});

describe(`feed health (${storeName})`, () => {
  let w: World;
  beforeAll(async () => {
    // Sandbox customer 2 stops reporting on day 45 of a world starting 2025-01-01: Saturday 15 February.
    w = await collectionWorld({ now: '2025-02-10T02:00:00Z', sandbox: { start: '2025-01-01' } });
  });
  afterAll(async () => w.close());

  it('is pending before data, healthy within 3 business days of the last reading, unhealthy after — weekends do not count', async () => {
    const facts = (await (await fetch(`${w.sb.printtracker.url}/__sandbox/facts?entity=${w.sb.printtracker.customerEntityIds[2]}`)).json()) as { stoppedReportingOn: string };
    expect(facts.stoppedReportingOn).toBe('2025-02-15');
    const dealer = await w.t.account('Dealer health');
    const server = await w.t.json('/v1/servers', {
      method: 'POST', key: dealer.key,
      body: { type: 'printtracker', url: w.sb.printtracker.url, username: w.sb.printtracker.dealerEntityId, password: w.sb.printtracker.apiKey },
    });
    const customer = await w.t.account('Stopping customer', { key: dealer.key });
    const feed = await w.t.json(`/v1/accounts/${customer.id}/feeds`, {
      method: 'POST', key: dealer.key, body: { server_id: server.id, external_id: w.sb.printtracker.customerEntityIds[2], activated_at: '2025-02-20' },
    });
    const health = async () => (await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { key: dealer.key })).health_check;
    await settle(w.t);
    expect(await health()).toBe('pending'); // activated in the future: nothing collected yet
    await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { method: 'PATCH', key: dealer.key, body: { activated_at: '2025-02-01' } });
    await settle(w.t);
    expect(await health()).toBe('healthy');

    const at = async (iso: string) => {
      w.t.clock.set(iso);
      await w.t.json('/v1/collection-runs', { method: 'POST', key: dealer.key, body: {}, expect: 202 });
      await settle(w.t);
      return health();
    };
    // Last reading Friday the 14th. Monday, Tuesday and Wednesday are within three business days…
    expect(await at('2025-02-17T02:00:00Z')).toBe('healthy');
    expect(await at('2025-02-19T23:00:00Z')).toBe('healthy');
    // …Thursday is the fourth: the collection agent is stale.
    expect(await at('2025-02-20T02:00:00Z')).toBe('unhealthy');
    const state = await w.t.json(`/v1/accounts/${customer.id}/feeds/${feed.id}`, { key: dealer.key });
    expect(state).toMatchObject({ last_reading_at: expect.stringMatching(/^2025-02-14T/), health_check_changed_at: '2025-02-20T02:00:00Z' });
  });
});
