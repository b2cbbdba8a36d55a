// The default paper type catalog: US basis weights converted to g/m², plus common metric papers.
import { createHash } from 'node:crypto';

export interface PaperType {
  id: string;
  name: string;
  /** g/m², integer */
  density: number;
  external_id: string;
}

/** g/m² per pound of basis weight, by the basis sheet size of each grade. */
export const BASIS_WEIGHT_FACTORS = {
  bond: 3.7597, // 17 x 22 in, 500 sheets: bond, writing, ledger
  text: 1.4801, // 25 x 38 in: text, book, offset
  cover: 2.7048, // 20 x 26 in
  index: 1.8059, // 25.5 x 30.5 in
} as const;
export type PaperGrade = keyof typeof BASIS_WEIGHT_FACTORS;

/** Fixed namespace of Canopy's paper type ids: never change it, every install derives the same ids from it. */
export const PAPER_TYPE_NAMESPACE = '0f0c4c1e-7a53-5c6b-9d1f-2b0e6a5c3d47';

/**
 * Ids the PrintReleaf reference shows for default types: kept so clients written against it
 * resolve them here too.
 */
const REFERENCE_IDS: Readonly<Record<string, string>> = {
  'bond-20#': 'd3c3e1df-5e55-4587-9d81-91ac87927424',
  'cover-gloss-#2-80#': 'a11c7abc-011e-462f-babb-3c6375fa6473',
};

/** RFC 4122 version 5 (SHA-1, name-based) UUID: the same name in the same namespace gives the same id. */
export function uuidV5(name: string, namespace: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) throw new RangeError(`not a UUID: ${namespace}`);
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** g/m² of a US basis weight, rounded to the integer density the API carries (20# bond → 75). */
export function densityFromBasisWeight(grade: PaperGrade, pounds: number): number {
  return Math.round(pounds * BASIS_WEIGHT_FACTORS[grade]);
}

function entry(name: string, density: number, externalId: string): PaperType {
  return {
    id: REFERENCE_IDS[externalId] ?? uuidV5(externalId, PAPER_TYPE_NAMESPACE),
    name,
    density,
    external_id: externalId,
  };
}

const GRADE_NAMES: Record<PaperGrade, string> = {
  bond: 'Bond/Writing/Ledger',
  text: 'Text/Book',
  cover: 'Cover',
  index: 'Index',
};

function basisWeight(grade: PaperGrade, pounds: number): PaperType {
  return entry(`${pounds}# ${GRADE_NAMES[grade]}`, densityFromBasisWeight(grade, pounds), `${grade}-${pounds}#`);
}

function gloss(grade: 'text' | 'cover', pounds: number): PaperType {
  const label = grade === 'text' ? 'Text' : 'Cover';
  return entry(
    `${pounds}# #2 Gloss ${label}`,
    densityFromBasisWeight(grade, pounds),
    `${grade}-gloss-#2-${pounds}#`,
  );
}

function metric(grams: number): PaperType {
  return entry(`${grams} g/m²`, grams, `metric-${grams}gsm`);
}

/** Every default type, in catalog order. Ids are stable across installs and releases. */
export const DEFAULT_PAPER_TYPES: readonly PaperType[] = Object.freeze([
  ...[16, 20, 24, 28, 32].map((lb) => basisWeight('bond', lb)),
  ...[50, 60, 70, 80, 100].map((lb) => basisWeight('text', lb)),
  ...[60, 70, 80, 100].map((lb) => gloss('text', lb)),
  ...[65, 80, 100, 110, 130].map((lb) => basisWeight('cover', lb)),
  ...[80, 100].map((lb) => gloss('cover', lb)),
  ...[90, 110, 140].map((lb) => basisWeight('index', lb)),
  entry('A4 80 g/m²', 80, 'a4-80gsm'),
  entry('A3 80 g/m²', 80, 'a3-80gsm'),
  ...[60, 70, 90, 100, 120, 160, 200, 250, 300].map(metric),
]);

const byId = new Map(DEFAULT_PAPER_TYPES.map((type) => [type.id, type]));
const byExternalId = new Map(DEFAULT_PAPER_TYPES.map((type) => [type.external_id, type]));

export function defaultPaperTypeById(id: string): PaperType | undefined {
  return byId.get(id.toLowerCase());
}

export function defaultPaperTypeByExternalId(externalId: string): PaperType | undefined {
  return byExternalId.get(externalId);
}
