// Helpers for import scenarios: the sandbox's fleets exported as CSV in a chosen encoding, and uploads through the API.
import type { Sandbox } from '../../sandbox/server.ts';
import type { TestApp } from '../helpers/harness.ts';

export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'windows-1252';

/** A customer's fleet as its data-collection tool exports it (sandbox /__sandbox/export). */
export async function exportFleet(sb: Sandbox, query: Record<string, string>): Promise<string> {
  const res = await fetch(`${sb.printtracker.url}/__sandbox/export?${new URLSearchParams(query)}`);
  if (!res.ok) throw new Error(`export: ${res.status} ${await res.text()}`);
  return res.text();
}

/** The text as the bytes a file in that encoding holds (Windows-1252 covers the export's accents and dash). */
export function encodeFile(text: string, encoding: FileEncoding): Buffer {
  if (encoding === 'windows-1252') {
    const bytes = Buffer.alloc(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      bytes[i] = c === 0x2013 ? 0x96 : c;
      if (c > 0xff && c !== 0x2013) throw new Error(`no Windows-1252 byte for ${text[i]}`);
    }
    return bytes;
  }
  const utf8 = Buffer.from(text, 'utf8');
  return encoding === 'utf-8-bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]) : utf8;
}

export async function importFeed(t: TestApp, accountId: string, key: string, body: Record<string, unknown> = {}): Promise<string> {
  const feed = await t.json(`/v1/accounts/${accountId}/feeds`, { method: 'POST', key, body: { type: 'import', ...body } });
  return feed.id as string;
}

/** What the dashboard does: the guess from the file's first bytes, an import with that (or an edited) mapping, the file. */
export async function uploadFile(
  t: TestApp, key: string, accountId: string, feedId: string, bytes: Buffer,
  edit: (mapping: Record<string, unknown>) => Record<string, unknown> = (m) => m, options: { save?: boolean } = {},
) {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' };
  const preview = await t.app.inject({ method: 'POST', url: `/v1/accounts/${accountId}/feeds/${feedId}/imports/preview`, headers, payload: bytes.subarray(0, 65_536) });
  if (preview.statusCode !== 200) throw new Error(`preview: ${preview.statusCode} ${preview.body}`);
  const guess = JSON.parse(preview.body);
  const mapping = edit(guess.mapping);
  const job = await t.json(`/v1/accounts/${accountId}/feeds/${feedId}/imports`, { method: 'POST', key, body: { filename: 'export.csv', bytes_total: bytes.length, mapping, save_mapping: options.save } });
  const res = await t.app.inject({ method: 'PUT', url: `/v1/accounts/${accountId}/imports/${job.id}/file`, headers, payload: bytes });
  return { guess, job, status: res.statusCode, summary: JSON.parse(res.body) };
}

/** POST /feeds/:id/readings with a CSV body. */
export async function postCsv(t: TestApp, key: string, accountId: string, feedId: string, csv: string, query = '') {
  const res = await t.app.inject({
    method: 'POST', url: `/v1/accounts/${accountId}/feeds/${feedId}/readings${query}`, payload: csv,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
  });
  return { status: res.statusCode, body: JSON.parse(res.body) };
}

/** Totals per month of a per-day map. */
export function byMonth(days: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [day, pages] of [...days].sort()) out[day.slice(0, 7)] = (out[day.slice(0, 7)] ?? 0) + pages;
  return out;
}
