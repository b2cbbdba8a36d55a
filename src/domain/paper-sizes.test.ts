import { describe, expect, it } from 'vitest';
import { LETTER } from './paper.ts';
import { PAPER_SIZES, findPaperSize, paperSizeByKey } from './paper-sizes.ts';

describe('paper sizes', () => {
  it('knows the common sizes in metres, portrait', () => {
    expect(paperSizeByKey('letter')).toMatchObject({ width: LETTER.width, length: LETTER.length });
    expect(paperSizeByKey('legal')).toMatchObject({ width: 0.2159, length: 0.3556 });
    expect(paperSizeByKey('tabloid')).toMatchObject({ width: 0.2794, length: 0.4318 });
    expect(paperSizeByKey('executive')).toMatchObject({ width: 0.18415, length: 0.2667 });
    expect(paperSizeByKey('a4')).toMatchObject({ width: 0.21, length: 0.297 });
    expect(paperSizeByKey('a3')).toMatchObject({ width: 0.297, length: 0.42 });
    expect(paperSizeByKey('a5')).toMatchObject({ width: 0.148, length: 0.21 });
    expect(paperSizeByKey('b4')).toMatchObject({ width: 0.25, length: 0.353 });
    expect(paperSizeByKey('b5')).toMatchObject({ width: 0.176, length: 0.25 });
    for (const size of PAPER_SIZES) expect(size.width).toBeLessThanOrEqual(size.length);
  });

  it('finds sizes by the names upstreams report', () => {
    const cases: [string, string][] = [
      ['Letter', 'letter'], ['LETTER', 'letter'], ['na_letter', 'letter'], ['na_letter_8.5x11in', 'letter'],
      ['Letter (8.5 x 11 in)', 'letter'], ['US Letter', 'letter'], ['DMPAPER_LETTER', 'letter'],
      ['A4', 'a4'], ['ISO_A4', 'a4'], ['iso_a4_210x297mm', 'a4'], ['a4', 'a4'],
      ['Legal', 'legal'], ['na_legal_8.5x14in', 'legal'],
      ['Tabloid', 'tabloid'], ['Ledger', 'tabloid'], ['11x17', 'tabloid'], ['na_ledger_11x17in', 'tabloid'],
      ['Executive', 'executive'], ['A3', 'a3'], ['iso_a3_297x420mm', 'a3'], ['A5', 'a5'],
      ['B4', 'b4'], ['ISO_B5', 'b5'], ['jis_b4_257x364mm', 'jis-b4'], ['B5 (JIS)', 'jis-b5'],
    ];
    for (const [name, key] of cases) expect(findPaperSize(name)?.key, name).toBe(key);
  });

  it('matches bare dimensions to a known size, in either orientation', () => {
    expect(findPaperSize('8.5 x 11 in')?.key).toBe('letter');
    expect(findPaperSize('297x210mm')?.key).toBe('a4');
    expect(findPaperSize('210 x 297')?.key).toBe('a4');
  });

  it('returns a custom size for unknown dimensions, and nothing for unknown names', () => {
    expect(findPaperSize('Banner 600x900mm')).toEqual({ key: 'custom', name: 'Banner 600x900mm', width: 0.6, length: 0.9 });
    expect(findPaperSize('Envelope Monarch')).toBeUndefined();
    expect(findPaperSize('')).toBeUndefined();
  });
});
