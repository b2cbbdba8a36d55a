// The JSON shape scanner: depth and values of an answer as its bytes arrive, without recursion.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_BOUNDS, JsonShapeScanner } from './answer-bounds.ts';

const scan = (text: string, bounds = DEFAULT_ANSWER_BOUNDS, chunk = 7) => {
  const scanner = new JsonShapeScanner(bounds);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) scanner.feed(bytes.subarray(i, i + chunk));
  return scanner;
};

describe('JSON shape scanner', () => {
  it('measures depth and values of an ordinary answer, across chunk boundaries', () => {
    const s = scan(JSON.stringify({ id: 'a', children: [{ id: 'b', children: [{ id: 'c' }] }] }));
    expect(s.exceeded).toBeNull();
    expect(s.maxDepthSeen).toBe(5);
  });

  it('ignores brackets, commas and escaped quotes inside strings', () => {
    const s = scan(JSON.stringify({ name: '[[[{{{,,,\\"]]]', other: 'a\\"[' }), { ...DEFAULT_ANSWER_BOUNDS, maxDepth: 1, maxValues: 3 });
    expect(s.exceeded).toBeNull();
    expect(s.maxDepthSeen).toBe(1);
  });

  it('refuses an entity nested 200,000 levels at the depth bound, without a stack overflow', () => {
    const depth = 200_000;
    const s = scan('{"id":"x","children":['.repeat(depth) + ']}'.repeat(depth), DEFAULT_ANSWER_BOUNDS, 65_536);
    expect(s.exceeded).toEqual({ kind: 'depth', limit: 64 });
  });

  it('refuses an answer of more values than the bound, however small each is', () => {
    const s = scan(`[${Array(1000).fill('{}').join(',')}]`, { ...DEFAULT_ANSWER_BOUNDS, maxValues: 999 });
    expect(s.exceeded).toEqual({ kind: 'values', limit: 999 });
    expect(scan(`[${Array(400).fill('{}').join(',')}]`, { ...DEFAULT_ANSWER_BOUNDS, maxValues: 999 }).exceeded).toBeNull();
  });
});
