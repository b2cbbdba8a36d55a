// HTTP to one upstream server: bounded concurrency and answers, per-request timeout, retries with backoff and jitter, address checks.
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { guardedConnector } from './address-guard.ts';
import { DEFAULT_ANSWER_BOUNDS, JsonShapeScanner, boundSentence, type AnswerBounds, type BoundKind } from './answer-bounds.ts';
import { Limiter } from './limiter.ts';

/** Why an upstream call failed, in the words a dealer sees on the server's health and test results. */
export type UpstreamFailure = 'unreachable' | 'timed_out' | 'refused_address' | 'upstream_error' | 'wrong_credentials';

export class UpstreamError extends Error {
  readonly failure: UpstreamFailure;
  readonly status: number | null;
  /** the bound the answer met, when that is why: asking again would meet it again, so it is not retried */
  readonly bound: BoundKind | null;
  constructor(failure: UpstreamFailure, message: string, status: number | null = null, bound: BoundKind | null = null) {
    super(message);
    this.name = 'UpstreamError';
    this.failure = failure;
    this.status = status;
    this.bound = bound;
  }
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface UpstreamOptions {
  /** requests in flight to this server */
  concurrency: number;
  timeoutMs: number;
  /** attempts per request (1 = no retry) */
  attempts: number;
  retryBaseMs: number;
  allowPrivate: boolean;
  /** bounds on one answer (default DEFAULT_ANSWER_BOUNDS) */
  answerBounds?: AnswerBounds;
  /** shared by every client of one server in a process, so the bound holds across runs */
  limiter?: Limiter;
  /** test hooks */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface UpstreamStats {
  requests: number;
  retries: number;
}

const MAX_RETRY_DELAY_MS = 30_000;
const MAX_RETRY_AFTER_MS = 120_000;
/** Body bytes scanned between two turns of the event loop (~1 ms of scanning). */
const YIELD_EVERY_BYTES = 256 * 1024;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds or as an HTTP date → milliseconds, capped; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; code?: string };
  return (
    e?.name === 'TimeoutError' ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError ||
    e?.code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? 'connection failed';
}

export class UpstreamClient {
  readonly origin: string;
  readonly basePath: string;
  readonly stats: UpstreamStats = { requests: 0, retries: 0 };
  private readonly pool: Pool;
  private readonly limiter: Limiter;
  private readonly options: UpstreamOptions;

  constructor(baseUrl: string, options: UpstreamOptions) {
    const url = new URL(baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.options = options;
    this.limiter = options.limiter ?? new Limiter(options.concurrency);
    this.pool = new Pool(this.origin, {
      connections: options.concurrency,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 10_000,
      connect: guardedConnector({ timeoutMs: options.timeoutMs, allowPrivate: options.allowPrivate }),
    });
  }

  /**
   * One call, retried on network errors, timeouts, 5xx and 429 (waiting Retry-After when given, else
   * exponential backoff with full jitter). Other statuses are returned for the connector to read.
   */
  async request(
    method: 'GET' | 'POST',
    path: string,
    init: { headers?: Record<string, string>; body?: string } = {},
  ): Promise<UpstreamResponse> {
    const sleep = this.options.sleep ?? defaultSleep;
    const random = this.options.random ?? Math.random;
    let lastError: UpstreamError | null = null;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      if (attempt > 1) this.stats.retries += 1;
      let waitMs: number | null = null;
      try {
        const response = await this.limiter.run(() => this.once(method, path, init));
        if (response.status === 429 || response.status >= 500) {
          lastError = new UpstreamError('upstream_error', `${method} ${path} answered ${response.status}`, response.status);
          waitMs = retryAfterMs(response.headers['retry-after']);
        } else {
          return response;
        }
      } catch (error) {
        if (error instanceof UpstreamError && (error.failure === 'refused_address' || error.bound !== null)) throw error;
        lastError = error instanceof UpstreamError ? error : this.networkError(method, path, error);
      }
      if (attempt < this.options.attempts) {
        const backoff = random() * Math.min(MAX_RETRY_DELAY_MS, this.options.retryBaseMs * 2 ** (attempt - 1));
        await sleep(waitMs ?? backoff);
      }
    }
    throw lastError ?? new UpstreamError('unreachable', `${method} ${path} failed`);
  }

  private networkError(method: string, path: string, error: unknown): UpstreamError {
    const code = describe(error);
    if (code === 'EREFUSEDADDRESS' || (error as Error)?.name === 'RefusedUpstream') {
      return new UpstreamError('refused_address', (error as Error).message);
    }
    if (isTimeout(error)) return new UpstreamError('timed_out', `${method} ${path} timed out after ${this.options.timeoutMs} ms`);
    return new UpstreamError('unreachable', `${method} ${path} failed: ${code}`);
  }

  private async once(method: 'GET' | 'POST', path: string, init: { headers?: Record<string, string>; body?: string }): Promise<UpstreamResponse> {
    this.stats.requests += 1;
    try {
      const response = await this.pool.request({
        method,
        path: `${this.basePath}${path}`,
        headers: { accept: 'application/json', 'user-agent': 'Canopy collector', ...init.headers },
        body: init.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const body = await this.boundedBody(response, `${method} ${this.origin}${this.basePath}${path}`);
      return { status: response.statusCode, headers: response.headers, body };
    } catch (error) {
      const code = describe(error);
      if (code === 'EREFUSEDADDRESS') throw new UpstreamError('refused_address', (error as Error).message);
      throw error;
    }
  }

  /**
   * Reads a body as it arrives, refusing it at the first bound it meets (bytes, JSON depth, JSON values):
   * the rest is never read, so neither memory nor the later JSON.parse grows with what an upstream sends.
   */
  private async boundedBody(response: Dispatcher.ResponseData, what: string): Promise<string> {
    const bounds = this.options.answerBounds ?? DEFAULT_ANSWER_BOUNDS;
    const refuse = (kind: BoundKind, limit: number): never => {
      response.body.destroy();
      throw new UpstreamError('upstream_error', `${what}: ${boundSentence(kind, limit)}`, response.statusCode, kind);
    };
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > bounds.maxBytes) refuse('bytes', bounds.maxBytes);
    const scanner = new JsonShapeScanner(bounds);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let sinceYield = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > bounds.maxBytes) refuse('bytes', bounds.maxBytes);
      scanner.feed(chunk);
      if (scanner.exceeded) refuse(scanner.exceeded.kind, scanner.exceeded.limit);
      chunks.push(chunk);
      // Buffered chunks arrive as microtasks, one after another: let other requests through between slices.
      sinceYield += chunk.length;
      if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    return Buffer.concat(chunks, bytes).toString('utf8');
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => {});
  }

  /** For stopping at once (a killed run): abandons requests in flight. */
  async destroy(): Promise<void> {
    await this.pool.destroy().catch(() => {});
  }
}

/** Parses a JSON body, naming the call when the upstream sent something else. */
export function parseJson<T>(response: UpstreamResponse, what: string): T {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    throw new UpstreamError('upstream_error', `${what}: the answer is not JSON (status ${response.status})`, response.status);
  }
}
