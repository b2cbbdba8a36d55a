// What Canopy guesses about a CSV file, and how it streams one: encodings, delimiters, headers, columns, dates.
import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../domain/errors.ts';
import { apiCsvRows, detectEncoding, fileRows, guessDateFormat, guessFile, type FileMapping } from './csv-input.ts';

const NOW = Date.parse('2025-04-15T12:00:00Z');

describe('guessing a file', () => {
  it('tells UTF-8 with and without BOM from Windows-1252', () => {
    expect(detectEncoding(Buffer.from('a,b\n', 'utf8'))).toEqual({ encoding: 'utf-8', bom: false });
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: 'utf-8', bom: true });
    expect(detectEncoding(Buffer.from('Büro;x\n', 'utf8'))).toEqual({ encoding: 'utf-8', bom: false });
    expect(detectEncoding(Buffer.from('B\xfcro;x\n', 'latin1'))).toEqual({ encoding: 'windows-1252', bom: false });
  });

  it('decides day-first or month-first from values above 12, and says when it cannot', () => {
    expect(guessDateFormat(['01/02/2025', '13/02/2025'])).toEqual({ format: 'dmy', ambiguous: false });
    expect(guessDateFormat(['02/13/2025'])).toEqual({ format: 'mdy', ambiguous: false });
    expect(guessDateFormat(['01.02.2025'])).toEqual({ format: 'dmy', ambiguous: true });
    expect(guessDateFormat(['2025-02-01T10:00:00Z'])).toEqual({ format: 'iso', ambiguous: false });
  });

  it('skips title lines, finds the delimiter and the columns, and previews rows as the import reads them', () => {
    const file = Buffer.from('Export of 15.04.2025\nAsset ID\tRead Date\tMeter Total\tModel\nX1\t01.04.2025 08:00\t1.200\tKM\nX1\t14.04.2025 08:00\tN/A\tKM\n', 'latin1');
    const guess = guessFile(file, NOW);
    expect(guess.mapping).toMatchObject({
      kind: 'counters', delimiter: '\t', header_line: 2, date_format: 'dmy', thousands_separator: '.',
      columns: { device_id: 'Asset ID', timestamp: 'Read Date', lifetime_total: 'Meter Total' },
    });
    expect(guess.notes).toContain('header on line 2: the lines above it are skipped');
    expect(guess.preview.map((r) => r.problem?.rule ?? 'ok')).toEqual(['ok', 'is "N/A", not a number']);
  });

  it('takes the saved mapping when the file has its columns', () => {
    const saved: FileMapping = {
      kind: 'counters', columns: { device_id: 'Model', timestamp: 'When', lifetime_total: 'Count' }, delimiter: ',', header_line: 1,
      encoding: 'utf-8', date_format: 'mdy', zone: 'America/Chicago', thousands_separator: null,
    };
    const guess = guessFile(Buffer.from('Model,When,Count\nA,04/01/2025,5\n'), NOW, saved);
    expect(guess.mapping).toMatchObject({ columns: saved.columns, zone: 'America/Chicago', date_format: 'mdy' });
    expect(guess.notes).toContain('the mapping saved for this feed');
  });

  it('refuses an empty file', () => {
    expect(() => guessFile(Buffer.alloc(0), NOW)).toThrow(InvalidInput);
  });
});

describe('streaming a file', () => {
  const mapping: FileMapping = {
    kind: 'counters', columns: { device_id: 'd', timestamp: 't', lifetime_total: 'n' }, delimiter: ',', header_line: 1,
    encoding: 'windows-1252', date_format: 'iso', zone: 'UTC', thousands_separator: null,
  };
  const rows = async (chunks: Uint8Array[], m = mapping) => {
    const out = [];
    for await (const r of fileRows(chunks, m)) out.push(r);
    return out;
  };

  it('numbers data rows and keeps characters split across chunks whole', async () => {
    const bytes = Buffer.from('d,t,n\nB\xfcro-1,2025-04-01T00:00:00Z,5\n"q,1",2025-04-02T00:00:00Z,6\n', 'latin1');
    const one = await rows([bytes]);
    const split = await rows([bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)]);
    expect(split.map((r) => [r.row, r.values])).toEqual(one.map((r) => [r.row, r.values]));
    expect(one.map((r) => r.values.device_id)).toEqual(['Büro-1', 'q,1']);
  });

  it('names the line of malformed CSV and the column a mapping lacks', async () => {
    await expect(rows([Buffer.from('d,t,n\nA,"2025,5\n')])).rejects.toThrow(/file is not valid CSV/);
    await expect(rows([Buffer.from('d,time,n\nA,x,5\n')])).rejects.toThrow('mapping.columns.timestamp names column "t", which the file does not have');
  });

  it('reads API bodies with the field names as header only', () => {
    expect(apiCsvRows('device_id;timestamp;lifetime_total\nA;2025-04-01T00:00:00Z;5\n', 10).rows).toHaveLength(1);
    expect(() => apiCsvRows('device_id,timestamp,lifetime_total,site\nA,x,1\n', 10)).toThrow('unknown column "site"');
  });
});
