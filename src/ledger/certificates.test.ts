import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, storeName, type TestApp } from '../../test/helpers/harness.ts';
import { certificatePeriodLabel, projectLocation } from './certificate-pages.ts';
import { insertTransactionWithCertificate } from './transactions-service.ts';

const MADAGASCAR = '5d3b468f-c0a3-4e7c-bed4-2dcce9d3f0f9';
const PROJECT_KEYS = [
  'id', 'name', 'status', 'forest_latitude', 'forest_longitude', 'content_logo', 'content_masthead',
  'content_introduction', 'content_body_html', 'content_images',
].sort();

describe(`certificates (${storeName})`, () => {
  let t: TestApp;
  let publicApp: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    publicApp = await createTestApp({ env: { CANOPY_PUBLIC_URL: 'https://canopy.example.com/' } });
  });
  afterAll(async () => {
    await t.close();
    await publicApp.close();
  });

  const monthClose = (accountId: string, month: string, pages: number, trees: string) =>
    t.db.transaction((tx) =>
      insertTransactionWithCertificate(tx, {
        accountId, projectId: MADAGASCAR, kind: 'month_close', period: `${month}-01`,
        date: new Date(`${month}-28T23:59:59Z`), pages, trees, createdAt: new Date(`${month}-28T23:59:59Z`),
      }),
    );

  it('returns a certificate with the nested project and url/pdf_url on this server (never the Host header)', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const customer = await t.account('Customer Cert');
    const tx = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 2469134 } });
    const certificate = await t.json(`/v1/certificates/${tx.id}`, { key: customer.key, headers: { host: 'canopy.test:8443' } });
    expect(certificate).toMatchObject({
      id: tx.id,
      account_id: customer.id,
      date: '2021-03-08T14:52:33Z',
      pages: 2469134,
      trees: 296.296,
      project_id: MADAGASCAR,
      project: { id: MADAGASCAR, name: 'Madagascar', status: 'active', forest_latitude: -15.735844444444444, forest_longitude: 46.35879166666667 },
      // No CANOPY_PUBLIC_URL and not listening: the configured address (the Host header is anyone's to set).
      url: `http://localhost:3000/certificates/${tx.id}`,
      pdf_url: `http://localhost:3000/certificates/${tx.id}.pdf`,
    });
    expect(Object.keys(certificate.project).sort()).toEqual(PROJECT_KEYS);
    expect(Array.isArray(certificate.project.content_images)).toBe(true);
    const viaProxy = await t.json(`/v1/certificates/${tx.id}`, { key: customer.key, headers: { host: 'api.example.org', 'x-forwarded-proto': 'https' } });
    expect(viaProxy.pdf_url).toBe(`http://localhost:3000/certificates/${tx.id}.pdf`);
  });

  it('uses CANOPY_PUBLIC_URL for the links when it is set', async () => {
    const customer = await publicApp.account('Customer Public');
    const tx = await publicApp.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 100 } });
    const [certificate] = await publicApp.json('/v1/certificates', { key: customer.key, headers: { host: 'internal:3000' } });
    expect(certificate.url).toBe(`https://canopy.example.com/certificates/${tx.id}`);
    expect(certificate.pdf_url).toBe(`https://canopy.example.com/certificates/${tx.id}.pdf`);
  });

  it('serves the PDF and the printable page without an API key, and 404 for unknown or malformed ids', async () => {
    t.clock.set('2021-03-08T14:52:33Z');
    const customer = await t.account('Customer <PDF> & Co');
    const tx = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 16666 } });
    const certificate = await t.json(`/v1/certificates/${tx.id}`, { key: customer.key });
    const pdf = await t.call(new URL(certificate.pdf_url).pathname, { key: null });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.rawPayload.length).toBeGreaterThan(1000);

    const page = await t.call(new URL(certificate.url).pathname, { key: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('Customer &#60;PDF&#62; &#38; Co');
    expect(page.body).not.toContain('<PDF>');
    expect(page.body).toContain('16,666');
    expect(page.body).toContain('2.000');
    expect(page.body).toContain('8 March 2021');
    expect(page.body).toContain(`${certificate.pdf_url}`);

    for (const path of ['/certificates/00000000-0000-4000-8000-000000000000.pdf', '/certificates/00000000-0000-4000-8000-000000000000',
      '/certificates/nope.pdf', '/certificates/nope']) {
      const res = await t.call(path, { key: null });
      expect(JSON.parse(res.body), path).toEqual({ code: 404, error: 'Certificate not found' });
    }
    // The API routes still need a key.
    expect((await t.call(`/v1/certificates/${tx.id}`, { key: null })).statusCode).toBe(401);
  });

  it('labels a month-close certificate with its month and a direct one with its day', async () => {
    expect(certificatePeriodLabel({ kind: 'month_close', period: '2021-02-01', date: new Date('2021-02-28T23:59:59Z') })).toBe('February 2021');
    expect(certificatePeriodLabel({ kind: 'direct', period: null, date: new Date('2015-10-21T19:45:25Z') })).toBe('21 October 2015');
    expect(projectLocation(-15.735844444444444, 46.35879166666667)).toBe('15.7358° S, 46.3588° E');
    expect(projectLocation(null, 46)).toBeNull();
    const customer = await t.account('Customer Close Cert');
    const closed = await monthClose(customer.id, '2021-02', 2469134, '296.29608');
    const page = await t.call(`/certificates/${closed.id}`, { key: null });
    expect(page.body).toContain('offset the paper it printed in February 2021');
    const pdf = await t.call(`/certificates/${closed.id}.pdf`, { key: null });
    expect(pdf.rawPayload.subarray(0, 4).toString('latin1')).toBe('%PDF');
  });

  it('lists certificates reverse-chronologically with inclusive UTC-day filters and paging', async () => {
    const customer = await t.account('Customer Cert List');
    const january = await monthClose(customer.id, '2021-01', 469134, '56.29608');
    const february = await monthClose(customer.id, '2021-02', 2469134, '296.29608');
    t.clock.set('2021-03-01T00:00:00Z');
    const direct = await t.json('/v1/transactions', { method: 'POST', key: customer.key, body: { pages: 5 } });
    const all = await t.json('/v1/certificates', { key: customer.key });
    expect(all.map((c: { id: string }) => c.id)).toEqual([direct.id, february.id, january.id]);
    expect(all[1]).toMatchObject({ date: '2021-02-28T23:59:59Z', pages: 2469134, trees: 296.296 });
    const feb = await t.json('/v1/certificates?start_date=2021-02-28&end_date=2021-02-28', { key: customer.key });
    expect(feb.map((c: { id: string }) => c.id)).toEqual([february.id]);
    const paged = await t.call('/v1/certificates?limit=1&page=2', { key: customer.key });
    expect(JSON.parse(paged.body).map((c: { id: string }) => c.id)).toEqual([february.id]);
    expect(paged.headers.link).toMatch(/page=3/);
    const bad = await t.call('/v1/certificates?start_date=2021-02-29', { key: customer.key });
    expect(JSON.parse(bad.body)).toEqual({ code: 400, error: expect.stringMatching(/^start_date must be/) });
  });

  it('answers 404 for a certificate of any other account', async () => {
    const a = await t.account('Dealer A cert');
    const b = await t.account('Dealer B cert');
    const aCustomer = await t.account('A customer cert', { key: a.key });
    const tx = await t.json('/v1/transactions', { method: 'POST', key: aCustomer.key, body: { pages: 3 } });
    for (const [key, url] of [
      [b.key, `/v1/certificates/${tx.id}`],
      [b.key, `/v1/accounts/${aCustomer.id}/certificates/${tx.id}`],
      [a.key, `/v1/certificates/${tx.id}`],
    ] as const) {
      const res = await t.call(url, { key });
      expect(JSON.parse(res.body), url).toEqual({ code: 404, error: url.includes('/accounts/') ? 'Account not found' : 'Certificate not found' });
    }
    expect((await t.json(`/v1/accounts/${aCustomer.id}/certificates/${tx.id}`, { key: a.key })).id).toBe(tx.id);
    expect(await t.json('/v1/certificates', { key: b.key })).toEqual([]);
  });
});
