// The paper rules: mass, standard pages, trees and price, exact, with input validation and edge rounding.
import { InvalidInput } from './errors.ts';
import {
  add,
  compare,
  decimal,
  divide,
  multiply,
  sum,
  toNumber,
  tryDecimal,
  type Decimal,
  type DecimalInput,
} from './decimal.ts';

/** US Letter in metres: the default deposit and quote item size. */
export const LETTER = { width: 0.2159, length: 0.2794 } as const;
/** g/m², the default density of deposits and quote items. */
export const DEFAULT_DENSITY = 75;
/** One standard page = US Letter at 75 g/m² = 0.2159 x 0.2794 x 75 g. */
export const STANDARD_PAGE_GRAMS: Decimal = decimal('4.5241845');
/** 8333⅓ standard pages make one tree (16,666 pages = 2.0 trees at two decimals). For display only. */
export const PAGES_PER_TREE = 25000 / 3;
/** 3/25000 tree per standard page, exact in decimal: trees are always stored exactly. */
export const TREES_PER_STANDARD_PAGE: Decimal = decimal('0.00012');
/** USD per standard page unless an account (or an ancestor) sets its own rate. */
export const DEFAULT_RATE: Decimal = decimal('0.0003');

// Realistic ceilings: beyond these a figure is a typing or unit error, not paper. They keep every single
// ledger entry small (at most about 2.2 billion standard pages: MAX_MASS_GRAMS of paper), and sums of
// entries are kept exactly (numeric in the store, BigInt in between), so no total overflows however
// many entries add up.
/** Sheets in one deposit (a day of one account or feed), one quote item, or one transaction. */
export const MAX_PAGES = 1_000_000_000;
/** A sheet's width or length: wide-format printers top out around 5 m wide; a 10 m print is a banner. */
export const MAX_DIMENSION_METRES = 10;
/** Grammage: printable stock stays well under this (heavy board is 400–600 g/m²). */
export const MAX_DENSITY = 1000;
/** The paper of one deposit, one quote item or one whole quote: 10,000 tonnes. */
export const MAX_MASS_GRAMS = 10_000_000_000;
/** USD per standard page (the default is 0.0003). */
export const MAX_RATE = 1000;
/** Trees in one direct transaction: MAX_PAGES standard pages. */
export const MAX_TREES = 120_000;
/** Quote items in one quote. */
export const MAX_QUOTE_ITEMS = 1000;

/** Decimals in responses, as the PrintReleaf reference shows them; the store keeps full precision. */
export const TREES_DECIMALS = { account: 2, volume: 2, transaction: 3, certificate: 3, quote: 6 } as const;
export type TreesEdge = keyof typeof TREES_DECIMALS;
export const MASS_DECIMALS = 6;
export const PRICE_DECIMALS = 2;

/** `quantity` sheets of `width` x `length` metres at `density` g/m². */
export interface PaperItem {
  quantity: number;
  width: Decimal;
  length: Decimal;
  density: number;
}

/** A quote item given either as paper or directly as a mass in grams. */
export type QuoteItem = PaperItem | { mass: Decimal };

/** Raw fields as a client sends them; `height` is an alias of `length`. */
export interface PaperItemFields {
  quantity?: unknown;
  width?: unknown;
  length?: unknown;
  height?: unknown;
  density?: unknown;
}

export interface QuoteTotals {
  items: { mass: Decimal }[];
  mass: Decimal;
  standardPages: number;
  trees: Decimal;
  rate: Decimal;
  price: Decimal;
}

// ---- validation -------------------------------------------------------------------------------

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function requireWholeNumber(value: unknown, field: string, min: number, max: number, rule: string): number {
  const parsed = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidInput(field, rule);
  }
  return parsed;
}

function requirePositiveDecimal(value: unknown, field: string, max: number, rule: string): Decimal {
  const parsed = tryDecimal(value);
  if (parsed === undefined || compare(parsed, 0) <= 0 || compare(parsed, max) > 0) {
    throw new InvalidInput(field, rule);
  }
  return parsed;
}

/** Sheets of paper: a positive integer. */
export function requireQuantity(value: unknown, field = 'quantity'): number {
  return requireWholeNumber(value, field, 1, MAX_PAGES, `must be a positive integer (at most ${MAX_PAGES})`);
}

/** Pages of a deposit or transaction: a positive integer. */
export function requirePages(value: unknown, field = 'pages'): number {
  return requireWholeNumber(value, field, 1, MAX_PAGES, `must be a positive integer (at most ${MAX_PAGES})`);
}

/** A sheet's width or length in metres: positive, at most MAX_DIMENSION_METRES. */
export function requireDimension(value: unknown, field: string): Decimal {
  return requirePositiveDecimal(
    value,
    field,
    MAX_DIMENSION_METRES,
    `must be a positive number (metres) no greater than ${MAX_DIMENSION_METRES}`,
  );
}

/** Grammage: an integer from 1 to 2000 g/m². */
export function requireDensity(value: unknown, field = 'density'): number {
  return requireWholeNumber(value, field, 1, MAX_DENSITY, `must be an integer from 1 to ${MAX_DENSITY} (g/m²)`);
}

/** A mass in grams: a positive number. */
export function requireMass(value: unknown, field = 'mass'): Decimal {
  return requirePositiveDecimal(value, field, MAX_MASS_GRAMS, `must be a positive number of grams (at most ${MAX_MASS_GRAMS})`);
}

/** Refuses paper heavier than MAX_MASS_GRAMS: `field` names what the client sent (e.g. "pages"). */
export function requireMassWithinBounds(mass: Decimal, field: string): Decimal {
  if (compare(mass, MAX_MASS_GRAMS) > 0) {
    throw new InvalidInput(field, `x width x length x density must be at most ${MAX_MASS_GRAMS} g (10,000 tonnes of paper)`);
  }
  return mass;
}

/** Trees to transact: positive, and at least half a standard page so it buys something. */
export function requireTrees(value: unknown, field = 'trees'): Decimal {
  const trees = requirePositiveDecimal(value, field, MAX_TREES, `must be a positive number of trees (at most ${MAX_TREES})`);
  if (standardPagesFromTrees(trees) < 1) throw new InvalidInput(field, 'must be at least 0.00006 (one standard page)');
  return trees;
}

/** USD per standard page: zero or more. */
export function requireRate(value: unknown, field = 'rate'): Decimal {
  const parsed = tryDecimal(value);
  if (parsed === undefined || compare(parsed, 0) < 0 || compare(parsed, MAX_RATE) > 0) {
    throw new InvalidInput(field, 'must be a non-negative number (USD per standard page)');
  }
  return parsed;
}

/**
 * Validates a paper item and fills the defaults (Letter, 75 g/m²). `prefix` names the item in
 * errors, e.g. "items[1]." → "items[1].width must be …". Resolve a paper_type_id to `density` first.
 */
export function parsePaperItem(fields: PaperItemFields, prefix = '', quantityField = 'quantity'): PaperItem {
  const quantity = requireQuantity(fields.quantity, `${prefix}${quantityField}`);
  const hasLength = isPresent(fields.length);
  const hasHeight = isPresent(fields.height);
  if (hasLength && hasHeight && compare(requireDimension(fields.length, `${prefix}length`),
    requireDimension(fields.height, `${prefix}height`)) !== 0) {
    throw new InvalidInput(`${prefix}height`, 'is an alias of length; give one of them, or the same value');
  }
  const rawLength = hasLength ? fields.length : fields.height;
  const item = {
    quantity,
    width: isPresent(fields.width) ? requireDimension(fields.width, `${prefix}width`) : decimal(LETTER.width),
    length: isPresent(rawLength)
      ? requireDimension(rawLength, `${prefix}${hasLength ? 'length' : 'height'}`)
      : decimal(LETTER.length),
    density: isPresent(fields.density) ? requireDensity(fields.density, `${prefix}density`) : DEFAULT_DENSITY,
  };
  requireMassWithinBounds(itemMass(item), `${prefix}${quantityField}`);
  return item;
}

/** A quote item is either paper (quantity, size, density) or a bare `mass`, never both. */
export function parseQuoteItem(fields: PaperItemFields & { mass?: unknown }, prefix = ''): QuoteItem {
  if (isPresent(fields.mass)) {
    if (isPresent(fields.quantity)) {
      throw new InvalidInput(`${prefix}mass`, 'cannot be combined with quantity; give one of them');
    }
    return { mass: requireMass(fields.mass, `${prefix}mass`) };
  }
  if (!isPresent(fields.quantity)) throw new InvalidInput(`${prefix}quantity`, 'is required (or give mass)');
  return parsePaperItem(fields, prefix);
}

// ---- the rules --------------------------------------------------------------------------------

/** mass (g) = quantity x width x length x density, exact. */
export function itemMass(item: PaperItem): Decimal {
  return multiply(multiply(multiply(item.quantity, item.width), item.length), item.density);
}

/** round(mass / 4.5241845), half up. */
export function standardPages(mass: DecimalInput): number {
  return Number(divide(mass, STANDARD_PAGE_GRAMS, 0).units);
}

/** Standard pages of a paper item (a deposit's pages at its size and density). */
export function standardPagesOf(item: PaperItem): number {
  return standardPages(itemMass(item));
}

/** trees = pages x 3/25000, exact (at most five decimals). */
export function treesFromStandardPages(pages: number | bigint): Decimal {
  if (typeof pages === 'number' && !Number.isSafeInteger(pages)) {
    throw new RangeError(`standard pages must be an integer: ${pages}`);
  }
  return multiply(BigInt(pages), TREES_PER_STANDARD_PAGE);
}

/** The whole number of standard pages nearest to `trees` (half up). */
export function standardPagesFromTrees(trees: DecimalInput): number {
  return Number(divide(trees, TREES_PER_STANDARD_PAGE, 0).units);
}

/** price = standard pages x rate, exact (round to cents only at the edge). */
export function price(pages: number | bigint, rate: DecimalInput = DEFAULT_RATE): Decimal {
  return multiply(BigInt(pages), rate);
}

/** Totals of a quote: masses add, then one rounding to standard pages, then trees and price. */
export function quoteTotals(items: readonly QuoteItem[], rate: DecimalInput = DEFAULT_RATE): QuoteTotals {
  const masses = items.map((item) => ({ mass: 'mass' in item ? item.mass : itemMass(item) }));
  const mass = sum(masses.map((m) => m.mass));
  if (compare(mass, MAX_MASS_GRAMS) > 0) {
    throw new InvalidInput('items', `must weigh at most ${MAX_MASS_GRAMS} g (10,000 tonnes of paper) in total`);
  }
  const pages = standardPages(mass);
  const exactRate = decimal(rate);
  return {
    items: masses,
    mass,
    standardPages: pages,
    trees: treesFromStandardPages(pages),
    rate: exactRate,
    price: price(pages, exactRate),
  };
}

/** Sums masses of paper items (handy for deposits split by paper size). */
export function totalMass(items: readonly PaperItem[]): Decimal {
  return items.reduce<Decimal>((total, item) => add(total, itemMass(item)), decimal(0));
}

// ---- rounding at the edges (JSON responses) ---------------------------------------------------

export function treesForJson(trees: DecimalInput, edge: TreesEdge): number {
  return toNumber(trees, TREES_DECIMALS[edge]);
}

export function massForJson(mass: DecimalInput): number {
  return toNumber(mass, MASS_DECIMALS);
}

export function priceForJson(amount: DecimalInput): number {
  return toNumber(amount, PRICE_DECIMALS);
}
