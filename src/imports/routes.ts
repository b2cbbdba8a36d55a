// Import routes: readings by API, a file's guessed mapping and preview, uploads with progress, saved mappings.
import type { IncomingMessage } from 'node:http';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireScope } from '../http/auth.ts';
import { IdParams, errorResponses } from '../http/schemas.ts';
import type { RouteDeps } from '../http/scope.ts';
import { isoTimestamp } from '../http/wire.ts';
import { Conflict, InvalidInput, NotFound } from '../domain/errors.ts';
import { getFeed } from '../integrations/feeds-service.ts';
import type { AccountRef } from '../keys/api-keys.ts';
import { apiJsonRows } from './api-body.ts';
import { apiCsvRows, checkMapping, fileRows, guessFile, previewRows, decode, type FileMapping } from './csv-input.ts';
import { createJob, getJob, importSettings, requireImportFeed, runImport, type ImportDeps, type JobRow } from './import-feed.ts';
import { mappingFor, saveMapping, savedMapping } from './mappings.ts';
import { isKnownZone, type DateFormat, type ThousandsSeparator } from './reading-rows.ts';
import { CreateImportBody, FileGuess, ImportJob, ImportSummary, Mapping, ReadingsQuery } from './schema.ts';

/** Rows one POST /feeds/:id/readings may carry. */
export const MAX_API_ROWS = 100_000;
const API_BODY_LIMIT = 64 * 1024 * 1024;
const UPLOAD_LIMIT = 4 * 1024 * 1024 * 1024;
const PREVIEW_BYTES = 64 * 1024;

async function firstBytes(stream: AsyncIterable<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    parts.push(Buffer.from(chunk));
    n += chunk.length;
    if (n >= limit) break;
  }
  return Buffer.concat(parts).subarray(0, limit);
}

function jobView(row: JobRow) {
  return {
    id: row.id, feed_id: row.feed_id, status: row.status, source: row.source, filename: row.filename,
    bytes_total: row.bytes_total === null ? null : Number(row.bytes_total), bytes_done: Number(row.bytes_done), rows_done: Number(row.rows_done),
    accepted: Number(row.accepted), duplicates: Number(row.duplicates), conflicts: Number(row.conflicts), refused: Number(row.refused),
    problems: row.problems, changed_days: row.changed_days, error: row.error,
    created_at: isoTimestamp(row.created_at)!, finished_at: isoTimestamp(row.finished_at),
  };
}

export const importRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { db, clock, params } = deps;
  const importDeps: ImportDeps = { db, clock, settings: importSettings(deps.config.collection) };
  const tags = ['Imports'];
  // CSV bodies as text; file uploads as the raw stream (read chunk by chunk, never held whole).
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: API_BODY_LIMIT }, (_request, body, done) => done(null, String(body)));
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  const importFeed = async (account: AccountRef, id: string) => requireImportFeed(await getFeed(db, account, id));
  const jobOf = async (account: AccountRef, id: string) => {
    const [row] = await db.query<{ feed_id: string }>(`SELECT feed_id FROM import_jobs WHERE id = $1 AND account_id = $2`, [id, account.id]);
    const job = row ? await getJob(db, row.feed_id, id) : null;
    if (!job) throw new NotFound('Import');
    return job;
  };

  app.post(
    '/feeds/:id/readings',
    {
      bodyLimit: API_BODY_LIMIT,
      schema: {
        tags, summary: 'Send meter readings (or usage figures) to an import feed',
        description:
          'A JSON array of {device_id, timestamp, lifetime_total} (optional managed, black_total, color_total), or of usage figures ' +
          '{device_id, date, pages} / {device_id, month, pages}; or a text/csv body whose header row uses the same names. ' +
          `Up to ${MAX_API_ROWS} rows. The readings go through collection's rules (baselines, resets, gaps, implausible jumps, closed months carried once). ` +
          'Sending the same readings again changes nothing; the same device and time with another counter is a conflict, reported and not stored.',
        params: params(IdParams), querystring: ReadingsQuery,
        response: { 200: ImportSummary, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const feed = await importFeed(requireScope(request), request.params.id);
      const zone = request.query.zone ?? 'UTC';
      if (!isKnownZone(zone)) throw new InvalidInput('zone', `"${zone}" is not a time zone name (e.g. UTC, Europe/Berlin)`);
      const { kind, rows } = typeof request.body === 'string' ? apiCsvRows(request.body, MAX_API_ROWS) : apiJsonRows(request.body, MAX_API_ROWS);
      const jobId = await createJob(db, feed, { source: 'api' }, clock());
      return runImport(importDeps, {
        feed, jobId, kind, rows,
        options: { zone, dateFormat: (request.query.date_format ?? 'iso') as DateFormat, thousands: (request.query.thousands_separator ?? null) as ThousandsSeparator },
      });
    },
  );

  app.post(
    '/feeds/:id/imports/preview',
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags, summary: 'Guess how to read a file, and show its first rows as the import will read them',
        description:
          'Send the file (or its first 64 KiB) as application/octet-stream: Canopy guesses the encoding, delimiter, header row, kind, ' +
          'columns and date format (the feed’s saved mapping wins when the file has its columns). With ?mapping={...} (JSON) the rows ' +
          'are shown as that mapping reads them instead.',
        params: params(IdParams),
        querystring: Type.Object({ mapping: Type.Optional(Type.String({ maxLength: 4096, description: 'a mapping (JSON) to preview the file with instead of the guess' })) }),
        response: { 200: FileGuess, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const feed = await importFeed(requireScope(request), request.params.id);
      const body = request.body as IncomingMessage | string | undefined;
      if (body === undefined || typeof body === 'string' || typeof (body as IncomingMessage)[Symbol.asyncIterator] !== 'function') {
        throw new InvalidInput('body', 'must be the file (or its first 64 KiB) sent as application/octet-stream');
      }
      const sample = await firstBytes(body as IncomingMessage, PREVIEW_BYTES);
      const guess = guessFile(sample, clock().getTime(), await savedMapping(db, feed.id));
      if (request.query.mapping === undefined) return guess;
      let mapping: FileMapping;
      try {
        mapping = JSON.parse(request.query.mapping) as FileMapping;
      } catch {
        throw new InvalidInput('mapping', 'must be a JSON mapping');
      }
      checkMapping(mapping);
      const text = decode(sample, mapping.encoding);
      return { ...previewRows(text, mapping, clock().getTime()), mapping, notes: guess.notes };
    },
  );

  app.post(
    '/feeds/:id/imports',
    {
      schema: {
        tags, summary: 'Start an upload: the mapping its file is read with',
        description: 'Then PUT the file to /imports/:id/file and follow GET /imports/:id for progress. Without a mapping, the feed’s saved one is used.',
        params: params(IdParams), body: CreateImportBody, response: { 201: ImportJob, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const account = requireScope(request);
      const feed = await importFeed(account, request.params.id);
      const mapping = await mappingFor(db, feed.id, request.body.mapping as FileMapping | undefined);
      if (request.body.save_mapping === true) await saveMapping(db, feed, mapping, clock());
      const id = await createJob(db, feed, { source: 'upload', filename: request.body.filename ?? null, options: mapping, bytesTotal: request.body.bytes_total ?? null }, clock());
      reply.code(201);
      return jobView((await getJob(db, feed.id, id))!);
    },
  );

  app.put(
    '/imports/:id/file',
    {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags, summary: 'Upload the file of an import (application/octet-stream) and import it',
        description:
          'Streams the file through its mapping, committing every 5,000 rows with the import’s progress; answers with the summary when done. ' +
          'If the upload or the server stops, PUT the same file again: the rows already committed are skipped.',
        params: params(IdParams), response: { 200: ImportSummary, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const account = requireScope(request);
      const job = await jobOf(account, request.params.id);
      if (job.status === 'succeeded') throw new Conflict('this import is done; start a new one for another file');
      const body = request.body as IncomingMessage;
      if (body === undefined || typeof (body as IncomingMessage)[Symbol.asyncIterator] !== 'function') {
        throw new InvalidInput('body', 'must be the file, sent as application/octet-stream');
      }
      const feed = await importFeed(account, job.feed_id);
      const mapping = job.options as unknown as FileMapping;
      return runImport(importDeps, {
        feed, jobId: job.id, kind: mapping.kind, rows: fileRows(body, mapping), skipRows: Number(job.rows_done),
        options: { zone: mapping.zone, dateFormat: mapping.date_format, thousands: mapping.thousands_separator },
      });
    },
  );

  app.get(
    '/imports/:id',
    { schema: { tags, summary: 'An import’s progress and what it found', params: params(IdParams), response: { 200: ImportJob, ...errorResponses(400, 401, 404) } } },
    async (request) => jobView(await jobOf(requireScope(request), request.params.id)),
  );

  app.get(
    '/feeds/:id/import-mapping',
    { schema: { tags, summary: 'The column mapping saved for an import feed', params: params(IdParams), response: { 200: Mapping, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const feed = await importFeed(requireScope(request), request.params.id);
      const mapping = await savedMapping(db, feed.id);
      if (!mapping) throw new NotFound('Import mapping');
      return mapping;
    },
  );

  app.put(
    '/feeds/:id/import-mapping',
    {
      schema: {
        tags, summary: 'Save the column mapping of an import feed, so its next file is one click',
        params: params(IdParams), body: Mapping, response: { 200: Mapping, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const feed = await importFeed(requireScope(request), request.params.id);
      await saveMapping(db, feed, request.body as FileMapping, clock());
      return request.body;
    },
  );
};
