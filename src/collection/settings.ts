// The collection engine's settings: upstream access, secrets, schedules, concurrency and plausibility limits.
import { ConfigError, flag, integer, text } from '../config.ts';

export interface CollectionSettings {
  /** AES-256-GCM key for server passwords (32 bytes); null: a key file beside the data */
  secretKey: Buffer | null;
  /** Let server URLs reach loopback, private and link-local addresses, and plain http (sandbox, demo, tests). */
  allowPrivateUpstreams: boolean;
  collectCron: string;
  healthCron: string;
  /** Requests in flight per upstream server. */
  serverConcurrency: number;
  /** Feeds collected at once by one process. */
  feedConcurrency: number;
  requestTimeoutMs: number;
  /** Bytes of one upstream answer Canopy reads before refusing it. */
  maxAnswerBytes: number;
  /** Attempts per upstream request on network errors, 5xx and 429. */
  requestAttempts: number;
  /** First retry delay; doubles per attempt, with full jitter. */
  retryBaseMs: number;
  lookbackDays: number;
  maxPagesPerDevicePerDay: number;
  /** Longest date range asked of an upstream in one request. */
  requestRangeDays: number;
  /** Jobs sent per run: each worker that takes one joins the run (feeds are claimed one by one). */
  runShards: number;
  /** Seconds a worker's claim on a feed lasts without renewal: a killed worker's feeds are taken over after it. */
  leaseSeconds: number;
  /** Collection runs one process works on at once (feeds and requests stay bounded across them). */
  runsPerProcess: number;
  /** Open runs an account may have asked for at once through the API (a repeated request joins its pending run). */
  openRunsPerAccount: number;
}

/** A 32-byte key given as 64 hex digits or base64. */
export function parseSecretKey(raw: string, name = 'CANOPY_SECRET_KEY'): Buffer {
  const trimmed = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  throw new ConfigError(`${name} must be 32 bytes as 64 hex digits or base64 (e.g. openssl rand -hex 32)`);
}

function cron(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (value.trim().split(/\s+/).length !== 5) throw new ConfigError(`${name} must be a 5-field cron expression (UTC), got "${value}"`);
  return value;
}

export function loadCollectionSettings(env: NodeJS.ProcessEnv): CollectionSettings {
  const secret = text(env, 'CANOPY_SECRET_KEY');
  return {
    secretKey: secret === null ? null : parseSecretKey(secret),
    allowPrivateUpstreams: flag(env, 'CANOPY_ALLOW_PRIVATE_UPSTREAMS'),
    collectCron: cron(env, 'CANOPY_COLLECT_CRON', '0 2 * * *'),
    healthCron: cron(env, 'CANOPY_HEALTH_CRON', '0 * * * *'),
    serverConcurrency: integer(env, 'CANOPY_SERVER_CONCURRENCY', 4, 1, 256),
    feedConcurrency: integer(env, 'CANOPY_COLLECT_CONCURRENCY', 32, 1, 1024),
    requestTimeoutMs: integer(env, 'CANOPY_UPSTREAM_TIMEOUT_MS', 30_000, 100, 600_000),
    maxAnswerBytes: integer(env, 'CANOPY_UPSTREAM_MAX_ANSWER_BYTES', 8 * 1024 * 1024, 64 * 1024, 256 * 1024 * 1024),
    requestAttempts: integer(env, 'CANOPY_UPSTREAM_ATTEMPTS', 6, 1, 20),
    retryBaseMs: integer(env, 'CANOPY_UPSTREAM_RETRY_BASE_MS', 500, 0, 60_000),
    lookbackDays: integer(env, 'CANOPY_COLLECT_LOOKBACK_DAYS', 3, 1, 27),
    maxPagesPerDevicePerDay: integer(env, 'CANOPY_MAX_DEVICE_PAGES_PER_DAY', 100_000, 1, 10_000_000),
    requestRangeDays: integer(env, 'CANOPY_UPSTREAM_RANGE_DAYS', 7, 1, 366),
    runShards: integer(env, 'CANOPY_COLLECT_SHARDS', 2, 1, 64),
    leaseSeconds: integer(env, 'CANOPY_COLLECT_LEASE_SECONDS', 120, 1, 3600),
    runsPerProcess: integer(env, 'CANOPY_COLLECT_RUNS_PER_PROCESS', 4, 1, 64),
    openRunsPerAccount: integer(env, 'CANOPY_COLLECT_OPEN_RUNS_PER_ACCOUNT', 3, 1, 1000),
  };
}
