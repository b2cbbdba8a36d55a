// Common paper sizes in metres, and a lookup by the names upstream printers and print servers report.

export interface PaperSize {
  /** Canopy's key: 'letter', 'a4', 'jis-b4', … or 'custom' for dimensions that match no known size. */
  key: string;
  name: string;
  /** metres, portrait (width ≤ length) */
  width: number;
  length: number;
}

const INCH = 0.0254;
const inches = (w: number, l: number) => ({ width: round6(w * INCH), length: round6(l * INCH) });
const millimetres = (w: number, l: number) => ({ width: w / 1000, length: l / 1000 });
function round6(metres: number): number {
  return Math.round(metres * 1e6) / 1e6;
}

/** The sizes Canopy knows, portrait. ISO B sizes are the international ones; JIS B sizes are separate keys. */
export const PAPER_SIZES: readonly PaperSize[] = Object.freeze([
  { key: 'letter', name: 'Letter', ...inches(8.5, 11) },
  { key: 'legal', name: 'Legal', ...inches(8.5, 14) },
  { key: 'tabloid', name: 'Tabloid/Ledger', ...inches(11, 17) },
  { key: 'executive', name: 'Executive', ...inches(7.25, 10.5) },
  { key: 'statement', name: 'Statement', ...inches(5.5, 8.5) },
  { key: 'a3', name: 'A3', ...millimetres(297, 420) },
  { key: 'a4', name: 'A4', ...millimetres(210, 297) },
  { key: 'a5', name: 'A5', ...millimetres(148, 210) },
  { key: 'b4', name: 'B4', ...millimetres(250, 353) },
  { key: 'b5', name: 'B5', ...millimetres(176, 250) },
  { key: 'jis-b4', name: 'JIS B4', ...millimetres(257, 364) },
  { key: 'jis-b5', name: 'JIS B5', ...millimetres(182, 257) },
]);

const byKey = new Map(PAPER_SIZES.map((size) => [size.key, size]));

// Normalised spellings (lower case, letters and digits only) → key. Covers PWG/IPP media names
// (na_letter_8.5x11in, iso_a4_210x297mm), Windows DMPAPER_*, CUPS/PPD names and plain labels.
const ALIASES: Readonly<Record<string, string>> = {
  letter: 'letter', ltr: 'letter', usletter: 'letter', naletter: 'letter', lettersmall: 'letter',
  legal: 'legal', lgl: 'legal', uslegal: 'legal', nalegal: 'legal',
  tabloid: 'tabloid', ledger: 'tabloid', naledger: 'tabloid', 'tabloidledger': 'tabloid',
  '11x17': 'tabloid', '17x11': 'tabloid', ansib: 'tabloid',
  executive: 'executive', exec: 'executive', naexecutive: 'executive',
  statement: 'statement', invoice: 'statement', nainvoice: 'statement', halfletter: 'statement',
  a3: 'a3', isoa3: 'a3',
  a4: 'a4', isoa4: 'a4', a4small: 'a4',
  a5: 'a5', isoa5: 'a5',
  b4: 'b4', isob4: 'b4',
  b5: 'b5', isob5: 'b5',
  jisb4: 'jis-b4', b4jis: 'jis-b4',
  jisb5: 'jis-b5', b5jis: 'jis-b5',
};

function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/^dmpaper_/, '')
    .replace(/\(\s*jis\s*\)/g, 'jis') // "B5 (JIS)" keeps its meaning…
    .replace(/\(.*?\)/g, '') // …while "Letter (8.5 x 11 in)" loses its note
    .replace(/_\d+(\.\d+)?x\d+(\.\d+)?(in|mm)$/, '') // PWG suffix: na_letter_8.5x11in
    .replace(/[^a-z0-9]/g, '');
}

// "8.5x11", "8.5 x 11 in", "210x297mm", "210 x 297 mm"; a bare pair means inches below 30, else mm.
const DIMENSIONS = /(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(in|inch|inches|"|mm)?/i;

function fromDimensions(name: string): PaperSize | undefined {
  const match = DIMENSIONS.exec(name);
  if (!match) return undefined;
  const a = Number(match[1]);
  const b = Number(match[2]);
  if (!(a > 0 && b > 0)) return undefined;
  const unit = match[3]?.toLowerCase();
  const isMillimetres = unit === 'mm' || (unit === undefined && Math.max(a, b) >= 30);
  const size = isMillimetres ? millimetres(Math.min(a, b), Math.max(a, b)) : inches(Math.min(a, b), Math.max(a, b));
  const known = PAPER_SIZES.find(
    (s) => Math.abs(s.width - size.width) <= 0.001 && Math.abs(s.length - size.length) <= 0.001,
  );
  return known ?? { key: 'custom', name: name.trim(), ...size };
}

/**
 * The paper size an upstream name stands for: "Letter", "LETTER", "na_letter_8.5x11in", "A4",
 * "ISO_A4", "iso_a4_210x297mm", "DMPAPER_A3", "11x17", "210 x 297 mm", … Named sizes match first;
 * otherwise dimensions in the name give a known size or a 'custom' one. Undefined when unknown.
 */
export function findPaperSize(name: string): PaperSize | undefined {
  const alias = ALIASES[normalise(name)];
  if (alias !== undefined) return byKey.get(alias);
  return fromDimensions(name);
}

export function paperSizeByKey(key: string): PaperSize | undefined {
  return byKey.get(key);
}
