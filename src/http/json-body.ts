// Reads a request body as JSON, whatever its content type, refusing what no Canopy request needs.
import { InvalidInput } from '../domain/errors.ts';

/** No request body of Canopy nests deeper than a few levels (a quote's items are three). */
export const MAX_BODY_DEPTH = 32;

/** Deepest nesting of arrays and objects in JSON text, counted without parsing (strings are skipped). */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

function hasPrototypeKey(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      stack.push(...item);
      continue;
    }
    for (const key of Object.keys(item)) {
      const child = (item as Record<string, unknown>)[key];
      if (key === '__proto__') return true;
      if (key === 'constructor' && child !== null && typeof child === 'object' && 'prototype' in child) return true;
      stack.push(child);
    }
  }
  return false;
}

/**
 * The body as a value: an empty body is {}. Throws InvalidInput naming the body for text that is not
 * JSON, nests deeper than MAX_BODY_DEPTH, or would write an object's prototype.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  if (jsonDepth(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw new InvalidInput('body', `is nested too deeply (more than ${MAX_BODY_DEPTH} levels of objects and arrays)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInput('body', 'is not valid JSON');
  }
  if (hasPrototypeKey(value)) throw new InvalidInput('body', 'must not contain "__proto__" or "constructor.prototype"');
  return value;
}
