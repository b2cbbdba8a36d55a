// Bounds on one upstream answer held in memory: bytes, JSON nesting depth and JSON values, checked as the bytes arrive.

/** What one upstream answer may be. Past these Canopy stops reading it, so memory and parse time stay bounded. */
export interface AnswerBounds {
  /** bytes of one response body */
  maxBytes: number;
  /** nesting of arrays and objects */
  maxDepth: number;
  /** JSON values (containers and array or object members): bounds what JSON.parse builds from maxBytes */
  maxValues: number;
}

/**
 * 8 MiB of JSON parses in about 75 ms on the project's machine (JSON.parse blocks the event loop, so this is
 * the event-loop budget of one answer); 600,000 values keep an answer of tiny values (`[{},{},…]`) as quick.
 * A week of meter reads of a 2,000-device customer is ~5 MiB; larger answers are asked for in smaller ranges.
 */
export const DEFAULT_ANSWER_BOUNDS: AnswerBounds = { maxBytes: 8 * 1024 * 1024, maxDepth: 64, maxValues: 600_000 };

/** Which bound an answer met, in words a dealer reads on the feed and the run. */
export type BoundKind = 'bytes' | 'depth' | 'values' | 'entities' | 'readings' | 'devices';

/**
 * Scans JSON text chunk by chunk, without recursion and without building anything: deepest nesting and
 * values so far. It does not validate JSON (JSON.parse does, afterwards); it only refuses what is too big.
 */
export class JsonShapeScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  values = 0;
  maxDepthSeen = 0;
  /** the first bound met, when one was */
  exceeded: { kind: BoundKind; limit: number } | null = null;

  private readonly bounds: AnswerBounds;

  constructor(bounds: AnswerBounds) {
    this.bounds = bounds;
  }

  feed(chunk: Uint8Array): void {
    if (this.exceeded !== null) return;
    let { depth, inString, escaped, values, maxDepthSeen } = this;
    const { maxDepth, maxValues } = this.bounds;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
        continue;
      }
      if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) {
        depth += 1;
        values += 1;
        if (depth > maxDepthSeen) maxDepthSeen = depth;
        if (depth > maxDepth) {
          this.exceeded = { kind: 'depth', limit: maxDepth };
          break;
        }
      } else if (c === 0x7d || c === 0x5d) depth -= 1;
      else if (c === 0x2c) values += 1;
      if (values > maxValues) {
        this.exceeded = { kind: 'values', limit: maxValues };
        break;
      }
    }
    Object.assign(this, { depth, inString, escaped, values, maxDepthSeen });
  }
}

/** The sentence naming a bound, e.g. "the answer is larger than 8,388,608 bytes (Canopy's bound on one upstream answer)". */
export function boundSentence(kind: BoundKind, limit: number): string {
  const n = limit.toLocaleString('en-US');
  switch (kind) {
    case 'bytes': return `the answer is larger than ${n} bytes (CANOPY_UPSTREAM_MAX_ANSWER_BYTES, the bound on one upstream answer)`;
    case 'depth': return `the answer nests deeper than ${n} levels (the bound on JSON nesting in an upstream answer)`;
    case 'values': return `the answer holds more than ${n} JSON values (the bound on one upstream answer)`;
    case 'entities': return `the entity tree holds more than ${n} entities (the bound on one entity tree)`;
    case 'readings': return `more than ${n} meter reads (the bound on readings per request)`;
    case 'devices': return `more than ${n} devices (the bound on devices per feed)`;
  }
}
