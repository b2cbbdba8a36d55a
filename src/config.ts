// Every environment variable Canopy reads, parsed and typed once.
import path from 'node:path';
import { loadCollectionSettings, type CollectionSettings } from './collection/settings.ts';
import { loadEdgeSettings, type EdgeSettings } from './http/edge-settings.ts';
import { loadOutboundSettings, type OutboundSettings } from './outbound/settings.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  bootstrapKey: string | null;
  tlsCert: string | null;
  tlsKey: string | null;
  allowHttp: boolean;
  logLevel: string;
  publicUrl: string | null;
  closeCron: string;
  closeGraceDays: number;
  defaultRate: string;
  jobs: boolean;
  /** Upstream servers, secrets and the collection engine (src/collection/settings.ts). */
  collection: CollectionSettings;
  /** Trusted proxies, rate limits and the metrics endpoint (src/http/edge-settings.ts). */
  edge: EdgeSettings;
  /** Grams of CO2-equivalent per standard page shown on the dashboard (PaperCut's figure by default). */
  co2GramsPerPage: number;
  /** Tests only: a file holding the process clock's instant (src/clock.ts); null = real time. */
  testClockFile: string | null;
  /** Email (SMTP or the outbox) and webhooks (src/outbound/settings.ts). */
  outbound: OutboundSettings;
}

export class ConfigError extends Error {}

export function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  return raw === '1' || raw === 'true' || raw === 'yes';
}

export function text(env: NodeJS.ProcessEnv, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw === '' ? null : raw;
}

function co2Grams(env: NodeJS.ProcessEnv): number {
  const raw = text(env, 'CANOPY_CO2_GRAMS_PER_PAGE') ?? '4.5';
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value > 1000) throw new ConfigError(`CANOPY_CO2_GRAMS_PER_PAGE must be a number of grams from 0 to 1000, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const tlsCert = text(env, 'CANOPY_TLS_CERT');
  const tlsKey = text(env, 'CANOPY_TLS_KEY');
  if ((tlsCert === null) !== (tlsKey === null)) {
    throw new ConfigError('CANOPY_TLS_CERT and CANOPY_TLS_KEY must be set together');
  }
  const bootstrapKey = text(env, 'CANOPY_BOOTSTRAP_KEY');
  if (bootstrapKey !== null && !/^[A-Za-z0-9_-]{16,128}$/.test(bootstrapKey)) {
    throw new ConfigError('CANOPY_BOOTSTRAP_KEY must be 16 to 128 characters of A-Z, a-z, 0-9, _ or -');
  }
  const rate = text(env, 'CANOPY_DEFAULT_RATE') ?? '0.0003';
  if (!/^\d+(\.\d{1,8})?$/.test(rate)) throw new ConfigError('CANOPY_DEFAULT_RATE must be a decimal like 0.0003');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST') ?? '0.0.0.0',
    dataDir: path.resolve(text(env, 'CANOPY_DATA_DIR') ?? './data'),
    databaseUrl: text(env, 'DATABASE_URL'),
    bootstrapKey,
    tlsCert,
    tlsKey,
    allowHttp: flag(env, 'CANOPY_ALLOW_HTTP'),
    logLevel: text(env, 'LOG_LEVEL') ?? 'info',
    publicUrl: text(env, 'CANOPY_PUBLIC_URL'),
    closeCron: text(env, 'CANOPY_CLOSE_CRON') ?? '30 3 * * *',
    closeGraceDays: integer(env, 'CANOPY_CLOSE_GRACE_DAYS', 2, 0, 27),
    defaultRate: rate,
    jobs: !flag(env, 'CANOPY_NO_JOBS'),
    collection: loadCollectionSettings(env),
    edge: loadEdgeSettings(env),
    co2GramsPerPage: co2Grams(env),
    testClockFile: text(env, 'CANOPY_TEST_CLOCK_FILE'),
    outbound: loadOutboundSettings(env),
  };
}
