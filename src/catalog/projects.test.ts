import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { FORESTRY_PROJECTS } from '../domain/projects-catalog.ts';
import { certificateProjectFor } from './project-choice.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';
const ETHIOPIA = '692bb68d-64aa-4a79-8a08-d373fb0d8752';
const NEPAL = '8b2b2289-4176-4fd4-aecd-4c8ffd47d41e';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const ids = (projects: Array<{ id: string }>) => projects.map((p) => p.id);

describe(`forestry projects and the account's selection (${storeName})`, () => {
  let t: TestApp;
  let dealer: { id: string; key: string };
  beforeAll(async () => {
    t = await createTestApp();
    dealer = await t.account('Dealer Projects');
  });
  afterAll(async () => t.close());

  it('lists the catalog in the order the projects were created, in the reference shape', async () => {
    const customer = await t.account('Customer Catalog', { key: dealer.key });
    const list = await t.json('/v1/forestry/projects', { key: customer.key });
    const expected = [...FORESTRY_PROJECTS].sort((a, b) => a.created_at.localeCompare(b.created_at));
    expect(ids(list)).toEqual(ids(expected));
    expect(ids(list).slice(0, 2)).toEqual([MADAGASCAR, ETHIOPIA]);
    expect(Object.keys(list[0])).toEqual([
      'id', 'name', 'status', 'forest_latitude', 'forest_longitude', 'content_logo', 'content_masthead',
      'content_introduction', 'content_body_html', 'content_images',
    ]);
    expect(list[0]).toMatchObject({
      name: 'Madagascar', status: 'active', forest_latitude: -15.735844444444444, forest_longitude: 46.35879166666667,
    });
    expect(Array.isArray(list[0].content_images)).toBe(true);
    expect(list[1]).toMatchObject({ name: 'Ethiopia', status: 'complete', forest_latitude: 6.7029261, forest_longitude: 38.7062503 });
  });

  it('retrieves a project; an unknown or malformed id is an error', async () => {
    const madagascar = await t.json(`/v1/forestry/projects/${MADAGASCAR}`);
    expect(madagascar).toMatchObject({ id: MADAGASCAR, name: 'Madagascar', status: 'active' });
    expect(await t.json(`/v1/accounts/${dealer.id}/forestry/projects/${MADAGASCAR}`)).toEqual(madagascar);
    const unknown = await t.call(`/v1/forestry/projects/${UNKNOWN}`);
    expect({ status: unknown.statusCode, body: JSON.parse(unknown.body) }).toEqual({
      status: 404, body: { code: 404, error: 'Forestry project not found' },
    });
    const malformed = await t.call('/v1/forestry/projects/madagascar');
    expect(JSON.parse(malformed.body)).toEqual({ code: 400, error: 'id must be a UUID' });
  });

  it('adds and removes selected projects as the reference shows, returning the updated array', async () => {
    const customer = await t.account('Customer Favourites', { key: dealer.key });
    expect(await t.json('/v1/projects', { key: customer.key })).toEqual([]);
    expect(ids(await t.json(`/v1/projects/${MADAGASCAR}`, { method: 'POST', key: customer.key, expect: 200 }))).toEqual([MADAGASCAR]);
    // The reference's own example selects Ethiopia, a complete project: it is accepted as a favourite.
    const both = await t.json(`/v1/projects/${ETHIOPIA}`, { method: 'POST', key: customer.key, expect: 200 });
    expect(ids(both)).toEqual([MADAGASCAR, ETHIOPIA]);
    expect(both[1]).toMatchObject({ name: 'Ethiopia', status: 'complete' });
    // Selecting again is harmless and keeps the order.
    expect(ids(await t.json(`/v1/projects/${MADAGASCAR}`, { method: 'POST', key: customer.key, expect: 200 }))).toEqual([MADAGASCAR, ETHIOPIA]);
    expect(ids(await t.json('/v1/projects', { key: customer.key }))).toEqual([MADAGASCAR, ETHIOPIA]);
    expect(ids(await t.json(`/v1/projects/${ETHIOPIA}`, { method: 'DELETE', key: customer.key }))).toEqual([MADAGASCAR]);

    const again = await t.call(`/v1/projects/${ETHIOPIA}`, { method: 'DELETE', key: customer.key });
    expect({ status: again.statusCode, body: JSON.parse(again.body) }).toEqual({ status: 404, body: { code: 404, error: 'Selected project not found' } });
    const unknown = await t.call(`/v1/projects/${UNKNOWN}`, { method: 'POST', key: customer.key });
    expect({ status: unknown.statusCode, body: JSON.parse(unknown.body) }).toEqual({ status: 404, body: { code: 404, error: 'Forestry project not found' } });
    const malformed = await t.call('/v1/projects/nepal', { method: 'POST', key: customer.key });
    expect(JSON.parse(malformed.body)).toEqual({ code: 400, error: 'id must be a UUID' });
  });

  it('sends certificates to the first selected active project, in selection order even within one clock tick', async () => {
    const customer = await t.account('Customer Certificates', { key: dealer.key });
    expect(await certificateProjectFor(t.db, customer.id)).toBe(MADAGASCAR);
    for (const project of [ETHIOPIA, NEPAL, MADAGASCAR]) {
      await t.json(`/v1/projects/${project}`, { method: 'POST', key: customer.key, expect: 200 });
    }
    expect(ids(await t.json('/v1/projects', { key: customer.key }))).toEqual([ETHIOPIA, NEPAL, MADAGASCAR]);
    expect(await certificateProjectFor(t.db, customer.id)).toBe(NEPAL);
  });

  it('keeps each account\'s selection its own: ancestors act through the scope, strangers get 404', async () => {
    const customer = await t.account('Customer Scoped', { key: dealer.key });
    const stranger = await t.account('Unrelated Dealer');
    const selected = await t.json(`/v1/accounts/${customer.id}/projects/${NEPAL}`, { method: 'POST', key: dealer.key, expect: 200 });
    expect(ids(selected)).toEqual([NEPAL]);
    expect(ids(await t.json('/v1/projects', { key: customer.key }))).toEqual([NEPAL]);
    expect(await t.json('/v1/projects', { key: dealer.key })).toEqual([]);
    for (const [method, url] of [
      ['GET', `/v1/accounts/${customer.id}/projects`],
      ['POST', `/v1/accounts/${customer.id}/projects/${MADAGASCAR}`],
      ['DELETE', `/v1/accounts/${customer.id}/projects/${NEPAL}`],
    ] as const) {
      const res = await t.call(url, { method, key: stranger.key });
      expect({ status: res.statusCode, body: JSON.parse(res.body) }).toEqual({ status: 404, body: { code: 404, error: 'Account not found' } });
    }
    expect(ids(await t.json('/v1/projects', { key: customer.key }))).toEqual([NEPAL]);
  });
});
