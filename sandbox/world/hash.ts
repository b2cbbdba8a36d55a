// Seeded, stateless hashing: every random fact of the world is a pure function of (seed, purpose, keys).

/** Folds any seed (number or text) into a 32-bit unsigned integer. */
export function seedToUint32(seed: string | number): number {
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A stable 32-bit salt for a purpose name, so streams for different facts never coincide. */
export function salt(purpose: string): number {
  return seedToUint32(`salt:${purpose}`);
}

function mix(h: number, k: number): number {
  k = Math.imul(k | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit hash of up to four integer keys (fixed arity keeps the hot paths allocation-free). */
export function hash(seed: number, purpose: number, a: number, b = 0, c = 0, d = 0): number {
  let h = mix(seed, purpose);
  h = mix(h, a);
  h = mix(h, b);
  h = mix(h, c);
  h = mix(h, d);
  return finish(h ^ 24);
}

/** Uniform float in [0, 1) from the same keys. */
export function unit(seed: number, purpose: number, a: number, b = 0, c = 0, d = 0): number {
  return hash(seed, purpose, a, b, c, d) / 4294967296;
}

/** Uniform integer in [lo, hi] inclusive. */
export function intBetween(lo: number, hi: number, u: number): number {
  return lo + Math.floor(u * (hi - lo + 1));
}

/** Standard normal from two uniforms (Box-Muller), clamped to +-3 so extremes stay bounded. */
export function normal(u1: number, u2: number): number {
  const z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  return Math.max(-3, Math.min(3, z));
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function hex32(h: number): string {
  return HEX_BYTE[h >>> 24] + HEX_BYTE[(h >>> 16) & 255] + HEX_BYTE[(h >>> 8) & 255] + HEX_BYTE[h & 255];
}

/** Lowercase hex of `chars` digits drawn from hashes of the keys. */
export function hexFrom(seed: number, purpose: number, chars: number, a: number, b = 0, c = 0): string {
  let out = '';
  for (let i = 0; out.length < chars; i++) out += hex32(hash(seed, purpose, a, b, c, i + 1));
  return out.length === chars ? out : out.slice(0, chars);
}

/** Lowercase hex of a non-negative integer, left-padded with zeros to `chars` digits. */
export function hexPad(n: number, chars: number): string {
  const h = n.toString(16);
  return h.length >= chars ? h : '0'.repeat(chars - h.length) + h;
}

/** A version-4-shaped UUID from hashes of the keys. */
export function uuidFrom(seed: number, purpose: number, a: number, b = 0, c = 0): string {
  const h = hexFrom(seed, purpose, 32, a, b, c).split('');
  h[12] = '4';
  h[16] = '89ab'[parseInt(h[16], 16) & 3];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Picks from a list with a uniform. */
export function pick<T>(list: readonly T[], u: number): T {
  return list[Math.floor(u * list.length)];
}

/** A deterministic order that is not the natural one: items sorted by a seeded hash of their key. */
export function shuffledBy<T>(items: readonly T[], seed: number, key: (item: T, position: number) => string): T[] {
  const keyed = items.map((item, k) => ({ item, h: seedToUint32(`${seed}:${key(item, k)}`) }));
  keyed.sort((a, b) => a.h - b.h);
  return keyed.map((x) => x.item);
}
