// Exact decimal numbers as scaled BigInts: the ledger's masses, trees, rates and prices never drift.

/** value = units / 10^scale. Immutable; scale is a non-negative integer. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

export type DecimalInput = Decimal | number | string | bigint;

// Digits with an optional fraction and exponent: "12", "-0.2159", ".5", "1e-7", "2.5E+3".
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// Inputs are user figures, not cryptography: a bounded exponent keeps BigInts small.
const MAX_EXPONENT = 400;

const pow10Cache: bigint[] = [];
function pow10(n: number): bigint {
  if (n < 64) return (pow10Cache[n] ??= 10n ** BigInt(n));
  return 10n ** BigInt(n);
}

function isDecimal(value: unknown): value is Decimal {
  return typeof value === 'object' && value !== null && typeof (value as Decimal).units === 'bigint';
}

function parseText(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  let units = BigInt(whole + fraction || '0');
  if (sign === '-') units = -units;
  let scale = fraction.length - exponent;
  if (scale < 0) {
    units *= pow10(-scale);
    scale = 0;
  }
  return { units, scale };
}

/** Parses a decimal exactly; a JS number is read as its shortest round-trip text (0.2159 → 0.2159). Throws RangeError. */
export function decimal(value: DecimalInput): Decimal {
  const parsed = tryDecimal(value);
  if (parsed === undefined) throw new RangeError(`not a decimal number: ${String(value)}`);
  return parsed;
}

/** Like decimal() but returns undefined for anything that is not a finite decimal number or decimal text. */
export function tryDecimal(value: unknown): Decimal | undefined {
  if (isDecimal(value)) return value;
  if (typeof value === 'bigint') return { units: value, scale: 0 };
  if (typeof value === 'number') return Number.isFinite(value) ? parseText(String(value)) : undefined;
  if (typeof value === 'string') return parseText(value);
  return undefined;
}

function rescale(a: Decimal, scale: number): bigint {
  return a.units * pow10(scale - a.scale); // only called with scale >= a.scale
}

/** Integer division rounding half away from zero (PostgreSQL round(numeric), "round half up" on magnitudes). */
function divideRounded(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twice = remainder < 0n ? -2n * remainder : 2n * remainder;
  if (twice >= denominator) return numerator < 0n ? quotient - 1n : quotient + 1n;
  return quotient;
}

export function add(a: DecimalInput, b: DecimalInput): Decimal {
  const x = decimal(a);
  const y = decimal(b);
  const scale = Math.max(x.scale, y.scale);
  return { units: rescale(x, scale) + rescale(y, scale), scale };
}

export function subtract(a: DecimalInput, b: DecimalInput): Decimal {
  const y = decimal(b);
  return add(a, { units: -y.units, scale: y.scale });
}

export function sum(values: Iterable<DecimalInput>): Decimal {
  let total: Decimal = { units: 0n, scale: 0 };
  for (const value of values) total = add(total, value);
  return total;
}

/** Exact product: the scales add. */
export function multiply(a: DecimalInput, b: DecimalInput): Decimal {
  const x = decimal(a);
  const y = decimal(b);
  return { units: x.units * y.units, scale: x.scale + y.scale };
}

/** a / b to `scale` decimals, rounded half away from zero. */
export function divide(a: DecimalInput, b: DecimalInput, scale: number): Decimal {
  const x = decimal(a);
  const y = decimal(b);
  const shift = scale + y.scale - x.scale;
  const numerator = shift >= 0 ? x.units * pow10(shift) : x.units;
  const denominator = shift >= 0 ? y.units : y.units * pow10(-shift);
  return { units: divideRounded(numerator, denominator), scale };
}

/** Rounds to `scale` decimals, half away from zero; never adds precision it does not have. */
export function round(a: DecimalInput, scale: number): Decimal {
  const x = decimal(a);
  if (x.scale <= scale) return x;
  return { units: divideRounded(x.units, pow10(x.scale - scale)), scale };
}

/** Rounds to a whole number (half away from zero) as a BigInt. */
export function roundToInteger(a: DecimalInput): bigint {
  return round(a, 0).units;
}

export function compare(a: DecimalInput, b: DecimalInput): -1 | 0 | 1 {
  const difference = subtract(a, b).units;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

export function isZero(a: DecimalInput): boolean {
  return decimal(a).units === 0n;
}

export function isInteger(a: DecimalInput): boolean {
  const x = decimal(a);
  return x.units % pow10(x.scale) === 0n;
}

function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return (negative ? '-' : '') + whole + (scale > 0 ? `.${fraction}` : '');
}

/** Text with exactly `decimals` places (rounded half away from zero), e.g. for numeric(…, n) columns. */
export function toFixed(a: DecimalInput, decimals: number): string {
  const x = decimal(a);
  const units = x.scale <= decimals ? rescale(x, decimals) : round(x, decimals).units;
  return formatScaled(units, decimals);
}

/** Full-precision text without trailing zeros ("75400.058877", "2"): what the store keeps. */
export function toPlainString(a: DecimalInput): string {
  const x = decimal(a);
  const text = formatScaled(x.units, x.scale);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A JS number rounded to `decimals` places, for JSON responses only (never compute with it). */
export function toNumber(a: DecimalInput, decimals: number): number {
  return Number(toFixed(a, decimals));
}
