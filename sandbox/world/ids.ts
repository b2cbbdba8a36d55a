// Deterministic identifiers: 24-hex Print Tracker ids that encode what they name, UUIDs and Pharos keys.

import { hash, hexFrom, hexPad, salt, uuidFrom } from './hash.ts';

export const KIND = { dealer: 1, customer: 2, site: 3, device: 4, install: 5 } as const;
export type KindCode = (typeof KIND)[keyof typeof KIND];

const ID = salt('id');
const PHAROS = salt('pharos-key');

/**
 * A 24-hex id, shaped like a MongoDB ObjectId: 12 hex of hash, 2 hex of kind, 10 hex of index.
 * The hash part makes ids of different seeds differ; the tail lets the server find the object without a map.
 */
export function objectId(seed: number, kind: KindCode, index: number): string {
  return hexFrom(seed, ID, 12, kind, index) + hexPad(kind, 2) + hexPad(index, 10);
}

/** Reads an id back into (kind, index) if it is one this seed minted. */
export function parseObjectId(seed: number, id: string): { kind: KindCode; index: number } | undefined {
  if (!/^[0-9a-f]{24}$/.test(id)) return undefined;
  const kind = parseInt(id.slice(12, 14), 16) as KindCode;
  const index = parseInt(id.slice(14), 16);
  if (kind < 1 || kind > 5 || objectId(seed, kind, index) !== id) return undefined;
  return { kind, index };
}

/** A Pharos authorization key: 64 hex, the last 8 carrying the tenant (customer) index. */
export function pharosKey(seed: number, customer: number): string {
  return hexFrom(seed, PHAROS, 56, customer) + customer.toString(16).padStart(8, '0');
}

export function parsePharosKey(seed: number, key: string): number | undefined {
  if (!/^[0-9a-f]{64}$/.test(key)) return undefined;
  const customer = parseInt(key.slice(56), 16);
  return pharosKey(seed, customer) === key ? customer : undefined;
}

export function apiKeyFor(seed: number, dealer: number): string {
  return uuidFrom(seed, salt('printtracker-api-key'), dealer);
}

export function readId(seed: number, device: number, day: number, seq: number): string {
  return hexFrom(seed, salt('read'), 24, device, day, seq);
}

export function smallHash(seed: number, purpose: string, a: number): number {
  return hash(seed, salt(purpose), a);
}
