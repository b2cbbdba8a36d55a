import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  add, compare, decimal, divide, isInteger, isZero, multiply, round, roundToInteger, subtract, sum,
  toFixed, toNumber, toPlainString, tryDecimal,
} from './decimal.ts';

describe('decimal parsing', () => {
  it('reads a JS number as the decimal it prints as, not its binary approximation', () => {
    expect(decimal(0.2159)).toEqual({ units: 2159n, scale: 4 });
    expect(decimal(0.1)).toEqual({ units: 1n, scale: 1 });
    expect(toPlainString(decimal(5e-7))).toBe('0.0000005');
    expect(toPlainString(decimal(1e21))).toBe('1000000000000000000000');
  });

  it('reads decimal text, signs, bare fractions and exponents exactly', () => {
    expect(toPlainString('4.5241845')).toBe('4.5241845');
    expect(toPlainString('-.5')).toBe('-0.5');
    expect(toPlainString('+12.')).toBe('12');
    expect(toPlainString('2.5E+3')).toBe('2500');
    expect(toPlainString(' 0.0003 ')).toBe('0.0003');
    expect(toPlainString(12n)).toBe('12');
  });

  it('refuses what is not a finite decimal number', () => {
    for (const bad of ['', '.', 'abc', '1.2.3', '1e', '0x10', '1,5', 'NaN', '1e999999']) {
      expect(tryDecimal(bad), bad).toBeUndefined();
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, {}, true]) {
      expect(tryDecimal(bad)).toBeUndefined();
    }
    expect(() => decimal('abc')).toThrow(RangeError);
  });
});

describe('decimal arithmetic', () => {
  it('adds, subtracts and multiplies exactly', () => {
    expect(toPlainString(add(0.1, 0.2))).toBe('0.3');
    expect(toPlainString(subtract('1', '0.0001'))).toBe('0.9999');
    expect(toPlainString(multiply(0.2159, 0.2794))).toBe('0.06032246');
    expect(toPlainString(multiply(16666, '0.00012'))).toBe('1.99992');
  });

  it('divides to a given scale, rounding half away from zero', () => {
    expect(toPlainString(divide(1, 3, 6))).toBe('0.333333');
    expect(toPlainString(divide(2, 3, 6))).toBe('0.666667');
    expect(toPlainString(divide(-2, 3, 2))).toBe('-0.67');
    expect(divide(5, 2, 0).units).toBe(3n);
    expect(divide(-5, 2, 0).units).toBe(-3n);
    expect(divide('123.456', '0.001', 0).units).toBe(123456n);
    expect(() => divide(1, 0, 2)).toThrow(RangeError);
  });

  it('rounds half up at the edges', () => {
    expect(toFixed('2.345', 2)).toBe('2.35');
    expect(toFixed('2.344999', 2)).toBe('2.34');
    expect(toFixed('-2.345', 2)).toBe('-2.35');
    expect(toFixed('1.5', 3)).toBe('1.500');
    expect(toFixed('0.0005', 3)).toBe('0.001');
    expect(toFixed('75400.058877', 2)).toBe('75400.06');
    expect(roundToInteger('0.5')).toBe(1n);
    expect(toPlainString(round('1.99992', 2))).toBe('2');
    expect(toNumber('1.99992', 2)).toBe(2);
    expect(toNumber('157.6149', 2)).toBe(157.61);
  });

  it('compares and inspects values of different scales', () => {
    expect(compare('1.50', 1.5)).toBe(0);
    expect(compare('0.0001', 0)).toBe(1);
    expect(compare('-1', '0.5')).toBe(-1);
    expect(isZero('0.000')).toBe(true);
    expect(isInteger('12.000')).toBe(true);
    expect(isInteger('12.001')).toBe(false);
  });
});

// A decimal as (integer units, scale), built from text so the property is about parsing too.
const decimalText = fc
  .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 9 }))
  .map(([units, scale]) => {
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return { text: (negative ? '-' : '') + text, units, scale };
  });

describe('decimal properties', () => {
  it('never drifts: a sum of many small values equals the exact integer sum', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 99_999 }), { maxLength: 500 }), (tenThousandths) => {
        const total = sum(tenThousandths.map((n) => toFixed({ units: BigInt(n), scale: 4 }, 4)));
        const expected = tenThousandths.reduce((a, n) => a + BigInt(n), 0n);
        expect(compare(total, { units: expected, scale: 4 })).toBe(0);
      }),
    );
    // The classic float failure: ten thousand additions of 0.1.
    expect(toPlainString(sum(Array.from({ length: 10_000 }, () => 0.1)))).toBe('1000');
  });

  it('round-trips through its text form', () => {
    fc.assert(
      fc.property(decimalText, ({ text, units, scale }) => {
        expect(decimal(text)).toEqual({ units, scale });
        expect(compare(decimal(toPlainString(text)), text)).toBe(0);
      }),
    );
  });

  it('multiplying then dividing by the same factor gives the value back', () => {
    fc.assert(
      fc.property(decimalText, decimalText, (a, b) => {
        fc.pre(b.units !== 0n);
        expect(compare(divide(multiply(a.text, b.text), b.text, a.scale), a.text)).toBe(0);
      }),
    );
  });

  it('rounding moves a value by at most half a unit of the last kept place', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 9 }), (a, places) => {
        const error = subtract(round(a.text, places), a.text);
        const half = { units: 5n, scale: places + 1 };
        expect(compare(error.units < 0n ? { ...error, units: -error.units } : error, half)).toBeLessThanOrEqual(0);
      }),
    );
  });
});
