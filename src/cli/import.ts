// `canopy import --feed <id> <file.csv>`: imports a file of meter readings (or usage) into an import feed,
// with a progress bar, a summary, and exit code 1 when rows were refused. Re-running an interrupted file resumes it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { InvalidInput, Conflict } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import { checkMapping, fileRows, guessFile, type FileMapping } from '../imports/csv-input.ts';
import { createJob, importSettings, resumableJob, runImport, type ImportFeed } from '../imports/import-feed.ts';
import { saveMapping, savedMapping } from '../imports/mappings.ts';
import { FIELDS_OF, formatName, type DateFormat, type ImportField, type ImportKind } from '../imports/reading-rows.ts';
import { UsageError, parseOptions, type StoreCommand } from './command.ts';

const KINDS: ImportKind[] = ['counters', 'usage_daily', 'usage_monthly'];
const FORMATS: DateFormat[] = ['iso', 'ymd', 'mdy', 'dmy'];

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function headOf(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The guessed mapping with what the command line says instead. */
function withOverrides(mapping: FileMapping, values: Record<string, string | boolean | string[] | undefined>): FileMapping {
  const next: FileMapping = { ...mapping, columns: { ...mapping.columns } };
  if (typeof values.kind === 'string') {
    if (!KINDS.includes(values.kind as ImportKind)) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}`);
    next.kind = values.kind as ImportKind;
  }
  if (typeof values.zone === 'string') next.zone = values.zone;
  if (typeof values['date-format'] === 'string') {
    if (!FORMATS.includes(values['date-format'] as DateFormat)) throw new UsageError(`--date-format must be one of ${FORMATS.join(', ')}`);
    next.date_format = values['date-format'] as DateFormat;
  }
  if (typeof values['thousands-separator'] === 'string') next.thousands_separator = values['thousands-separator'] as FileMapping['thousands_separator'];
  for (const pair of (values.map as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    const field = pair.slice(0, at) as ImportField;
    if (at < 1 || !FIELDS_OF[next.kind].includes(field)) throw new UsageError(`--map takes field=Header, field one of ${FIELDS_OF[next.kind].join(', ')}`);
    next.columns[field] = pair.slice(at + 1);
  }
  return next;
}

export const importCommand: StoreCommand = {
  name: 'import',
  usage: 'import --feed <feed-id> <file.csv> [--zone <IANA zone>] [--date-format iso|ymd|mdy|dmy] [--kind counters|usage_daily|usage_monthly] [--map field=Header]... [--thousands-separator ,] [--save-mapping]',
  help: `Usage: canopy import --feed <feed-id> <file.csv> [options]

Imports a CSV export of meter readings (or pages per device per day or month) into an import feed, through
the same rules as collected readings. Re-sending a file, or an overlapping export, counts nothing twice;
an interrupted file continues where it stopped. Shows progress on a terminal, then a summary; exits 1 if
any row was refused (each named by row, column and rule).

Options
  --feed <id>                 the import feed (POST /v1/accounts/<id>/feeds {"type": "import"} makes one)
  --kind <kind>               counters | usage_daily | usage_monthly (guessed from the header row otherwise)
  --zone <IANA zone>          the zone of times written without an offset (default UTC)
  --date-format <f>           iso | ymd | mdy | dmy (guessed otherwise)
  --map field=Header          which column holds a field, e.g. --map device_id=Serial (repeatable)
  --thousands-separator <c>   the separator in numbers such as 1,234
  --save-mapping              keep this mapping for the feed's next file

Example
  canopy import --feed 3c1d9a4e-2b7f-4e58-9a61-0d2c4b8e7f15 --zone Europe/Berlin --date-format dmy export.csv`,
  async execute({ db, config, clock, out, progress }, argv) {
    const { values, positionals } = parseOptions('import', argv, {
      feed: { type: 'string' }, zone: { type: 'string' }, 'date-format': { type: 'string' }, kind: { type: 'string' },
      map: { type: 'string', multiple: true }, 'thousands-separator': { type: 'string' }, 'save-mapping': { type: 'boolean' },
    }, true);
    if (values.feed === undefined || !isUuid(values.feed)) throw new UsageError('--feed must be an import feed id (a UUID)');
    if (positionals.length !== 1) throw new UsageError('give exactly one file to import');
    const file = positionals[0];
    const stat = await fs.promises.stat(file).catch(() => null);
    if (stat === null || !stat.isFile()) throw new UsageError(`no file ${file}`);
    const [feed] = await db.query<ImportFeed>(
      `SELECT id, account_id, type, collection_scope, activated_at FROM feeds WHERE id = $1 AND deleted_at IS NULL`, [values.feed],
    );
    if (!feed) throw new UsageError(`no feed ${values.feed}`);
    if (feed.type !== 'import') throw new UsageError(`feed ${feed.id} is a ${feed.type} feed; readings are imported into feeds of type import`);

    try {
      const guess = guessFile(await headOf(file, 65_536), clock().getTime(), await savedMapping(db, feed.id));
      const mapping = withOverrides(guess.mapping, values);
      checkMapping(mapping);
      out(`${file}: ${mapping.kind}, ${mapping.encoding}, delimiter ${JSON.stringify(mapping.delimiter)}, header on line ${mapping.header_line}, dates ${formatName(mapping.date_format)} in ${mapping.zone}`);
      out(`  columns: ${Object.entries(mapping.columns).map(([f, h]) => `${f} ← "${h}"`).join(', ')}`);
      for (const note of guess.notes) out(`  note: ${note}`);
      if (values['save-mapping']) await saveMapping(db, feed, mapping, clock());

      const sha256 = await sha256Of(file);
      const earlier = await resumableJob(db, feed.id, sha256);
      const jobId = earlier?.id ?? await createJob(db, feed, { source: 'cli', filename: file, sha256, options: mapping, bytesTotal: stat.size }, clock());
      if (earlier && earlier.rows_done > 0) out(`resuming import ${jobId} after row ${earlier.rows_done}`);
      const summary = await runImport({ db, clock, settings: importSettings(config.collection) }, {
        feed, jobId, kind: mapping.kind, skipRows: earlier?.rows_done ?? 0,
        options: { zone: mapping.zone, dateFormat: mapping.date_format, thousands: mapping.thousands_separator },
        rows: fileRows(fs.createReadStream(file), mapping),
        onProgress: (p) => progress?.({ done: p.bytes, total: stat.size, detail: `bytes · ${p.rows} rows · ${p.accepted} accepted · ${p.refused} refused` }),
      });
      progress?.({ done: stat.size, total: stat.size, detail: `bytes · ${summary.rows} rows` });
      out(`import ${summary.job_id}: ${summary.rows} rows, ${summary.accepted} accepted, ${summary.duplicates} duplicates, ${summary.conflicts} conflicts, ${summary.refused} refused; deposits changed on ${summary.changed_days.length} day(s)`);
      for (const p of summary.problems.slice(0, 20)) out(`  row ${p.row}, ${p.column}: ${p.rule}`);
      if (summary.problems.length > 20) out(`  ... ${summary.refused + summary.conflicts - 20} more (GET /v1/imports/${summary.job_id})`);
      return summary.refused + summary.conflicts > 0 ? 1 : 0;
    } catch (error) {
      if (error instanceof InvalidInput || error instanceof Conflict) {
        out(`import refused: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
