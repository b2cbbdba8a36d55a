// Fault injection per simulated API: latency, 5xx, 429 with Retry-After, hangs, resets mid-body, a mixed chaos rate,
// outage windows, wrong-credential mode.

import { hash, salt, seedToUint32 } from './world/hash.ts';

export type OutageMode = 'reset' | '503';

export interface Outage {
  /** ISO instant on the world clock; absent = since forever. */
  from?: string;
  /** ISO instant on the world clock; absent = until cleared. */
  until?: string;
  /** `reset`: the connection is destroyed without a response; `503`: Service Unavailable. */
  mode: OutageMode;
}

export interface FaultSettings {
  /** Added to every API request before it is answered. */
  latencyMs: number;
  /** Share of requests answered 500, 502 or 503. */
  errorRate: number;
  /** Share of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitRate: number;
  retryAfterSeconds: number;
  /** Share of requests that hang: never answered when `hangMs` is 0, else answered normally after `hangMs`. */
  hangRate: number;
  hangMs: number;
  /** Share of requests whose answer is cut: headers and part of the body are written, then the connection is destroyed. */
  resetRate: number;
  /**
   * Share of requests that get one of the four faults, picked evenly by the seed: 500/502/503, 429 with
   * `Retry-After`, a hang that is never answered, or a reset mid-body. Applies on top of the other rates.
   */
  chaosRate: number;
  outage: Outage | null;
  /** Every credential (API key, bearer key, client secret, token) is rejected. */
  wrongCredentials: boolean;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  rateLimitRate: 0,
  retryAfterSeconds: 1,
  hangRate: 0,
  hangMs: 0,
  resetRate: 0,
  chaosRate: 0,
  outage: null,
  wrongCredentials: false,
};

export type FaultDecision =
  | { kind: 'reset' }
  | { kind: 'hang' }
  /** Answer normally, but destroy the connection after part of the body. */
  | { kind: 'truncate'; delayMs: number }
  | { kind: 'status'; status: number; headers: Record<string, string>; delayMs: number }
  | { kind: 'pass'; delayMs: number };

function rate(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`${name}: must be a number between 0 and 1`);
  return v;
}

function nonNegative(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${name}: must be a number >= 0`);
  return v;
}

function instant(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw new RangeError(`${name}: must be an ISO 8601 instant`);
  return new Date(Date.parse(v)).toISOString();
}

/** Merges a partial update (as posted to `/__sandbox/faults`) into settings, validating every field. */
export function mergeFaults(current: FaultSettings, patch: unknown): FaultSettings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new RangeError('body: must be a JSON object');
  const p = patch as Record<string, unknown>;
  const known = new Set(Object.keys(NO_FAULTS));
  for (const k of Object.keys(p)) if (!known.has(k)) throw new RangeError(`${k}: unknown fault knob (known: ${[...known].join(', ')})`);
  const next: FaultSettings = { ...current };
  if ('latencyMs' in p) next.latencyMs = nonNegative('latencyMs', p.latencyMs);
  if ('errorRate' in p) next.errorRate = rate('errorRate', p.errorRate);
  if ('rateLimitRate' in p) next.rateLimitRate = rate('rateLimitRate', p.rateLimitRate);
  if ('retryAfterSeconds' in p) next.retryAfterSeconds = Math.round(nonNegative('retryAfterSeconds', p.retryAfterSeconds));
  if ('hangRate' in p) next.hangRate = rate('hangRate', p.hangRate);
  if ('hangMs' in p) next.hangMs = nonNegative('hangMs', p.hangMs);
  if ('resetRate' in p) next.resetRate = rate('resetRate', p.resetRate);
  if ('chaosRate' in p) next.chaosRate = rate('chaosRate', p.chaosRate);
  if ('wrongCredentials' in p) {
    if (typeof p.wrongCredentials !== 'boolean') throw new RangeError('wrongCredentials: must be true or false');
    next.wrongCredentials = p.wrongCredentials;
  }
  if ('outage' in p) {
    const o = p.outage;
    if (o === null || o === false) next.outage = null;
    else if (o === true) next.outage = { mode: '503' };
    else if (typeof o === 'object' && !Array.isArray(o)) {
      const r = o as Record<string, unknown>;
      const mode = r.mode ?? '503';
      if (mode !== 'reset' && mode !== '503') throw new RangeError('outage.mode: must be "reset" or "503"');
      const from = instant('outage.from', r.from);
      const until = instant('outage.until', r.until);
      next.outage = { mode, ...(from ? { from } : {}), ...(until ? { until } : {}) };
    } else throw new RangeError('outage: must be null, true or {from?, until?, mode}');
  }
  return next;
}

/** Decides, deterministically from the seed and the request's sequence number, what happens to each request. */
export class FaultInjector {
  settings: FaultSettings;
  private readonly seed: number;
  private readonly stream: number;
  private counter = 0;

  constructor(seed: string | number, api: string, initial: FaultSettings = NO_FAULTS) {
    this.seed = seedToUint32(seed);
    this.stream = salt(`faults:${api}`);
    this.settings = { ...initial };
  }

  update(patch: unknown): FaultSettings {
    this.settings = mergeFaults(this.settings, patch);
    return this.settings;
  }

  reset(): FaultSettings {
    this.settings = { ...NO_FAULTS };
    this.counter = 0;
    return this.settings;
  }

  outageActive(now: number): boolean {
    const o = this.settings.outage;
    if (!o) return false;
    return (o.from === undefined || now >= Date.parse(o.from)) && (o.until === undefined || now < Date.parse(o.until));
  }

  decide(now: number): FaultDecision {
    const s = this.settings;
    const n = this.counter++;
    const u = (k: number) => hash(this.seed, this.stream, n, k) / 4294967296;
    if (this.outageActive(now)) {
      return s.outage?.mode === 'reset'
        ? { kind: 'reset' }
        : { kind: 'status', status: 503, headers: {}, delayMs: s.latencyMs };
    }
    let delayMs = s.latencyMs;
    const fiveXx = () => [500, 502, 503][hash(this.seed, this.stream, n, 4) % 3];
    const tooMany = () => ({ kind: 'status' as const, status: 429, headers: { 'retry-after': String(s.retryAfterSeconds) }, delayMs });
    if (u(5) < s.chaosRate) {
      switch (hash(this.seed, this.stream, n, 6) % 4) {
        case 0: return { kind: 'status', status: fiveXx(), headers: {}, delayMs };
        case 1: return tooMany();
        case 2: return { kind: 'hang' };
        default: return { kind: 'truncate', delayMs };
      }
    }
    if (u(1) < s.hangRate) {
      if (s.hangMs <= 0) return { kind: 'hang' };
      delayMs += s.hangMs;
    }
    if (u(2) < s.rateLimitRate) return tooMany();
    if (u(3) < s.errorRate) return { kind: 'status', status: fiveXx(), headers: {}, delayMs };
    if (u(7) < s.resetRate) return { kind: 'truncate', delayMs };
    return { kind: 'pass', delayMs };
  }
}
