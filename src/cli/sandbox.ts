// `canopy sandbox`: serves the Print Tracker, Pharos Cloud and Printix simulators until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { UsageError } from './command.ts';
import { API_NAMES, startSandbox, type SandboxInfo, type SandboxOptions } from '../../sandbox/server.ts';
import type { FaultSettings } from '../../sandbox/faults.ts';
import { DEFAULT_VARIANTS, ERROR_BODY_STYLES, PRIOR_TO_STYLES, type VariantPatch, type VariantSettings } from '../../sandbox/variants.ts';
import type { WorldRates } from '../../sandbox/world/options.ts';

const HELP = `Usage: canopy sandbox [options]

Serves simulators of the Print Tracker, Pharos Cloud and Printix APIs over one synthetic world.

World
  --seed <text>                    world seed (default 7)
  --customers <n>                  customers of the demo dealer (default 3)
  --devices-per-customer <n>       devices per customer (default 6)
  --other-dealers <n>              extra dealers, for tree isolation (default 1)
  --other-dealer-customers <n>     customers per extra dealer (default 2)
  --start <YYYY-MM-DD>             first day devices print (default 1 January last year)
  --now <ISO instant>              freeze the clock (default: real time)
  --printix-tenants <n>            Printix tenants seeded from customers (default 10)
  --<rate>-rate <0..1>             unmanaged, sites, replaced, stale, stopped, late, double-read,
                                   missed-read, late-discovery, no-life
  --late-delay-hours <min-max>     how late a late reading arrives (default 2-72)
Ports (0 = any free port)
  --printtracker-port <n>          default 4010
  --pharos-port <n>                default 4020
  --printix-port <n>               default 4030
  --printix-auth-port <n>          Printix token endpoint's own origin (default: Printix port + 1, 0 if that is 0)
API behaviour
  --token-ttl <seconds>            Printix access token lifetime (default 599)
  --meter-max-range-days <n>       longest Print Tracker /meter span (default 0 = unlimited)
Variants (readings the sources leave open; change later with POST /__sandbox/variants)
  --meter-includes-children        Print Tracker /meter also serves the devices of the entity's sites
  --redundant-installs-rate <0..1> entities with 2-3 installs, each reporting every device (duplicate reads)
  --repeated-reads-rate <0..1>     reads served twice with the same id in one /meter answer
  --most-recent-prior-to <style>   array (default), object-or-404, object-or-empty-array, object-or-null,
                                   object-or-zero
  --no-total-rate <0..1>           devices without a total counter (local USB: black and colour only)
  --unreadable-counter-rate <0..1> reads with an unreadable counter ("N/A", "1,234,567", 12345, ...)
  --omit-managed-field             Print Tracker devices without the "managed" field (as documented)
  --shuffle                        Print Tracker and Pharos arrays in a non-chronological order
  --error-body <style>             Print Tracker and Pharos errors: json (default), message, text, html
  --print-jobs-end <end>           Pharos PrintJobs/{from}/{to}: inclusive (default) or exclusive
  --print-jobs-rows <rows>         Pharos PrintJobs rows: jobs (default) or users (per-user summaries)
  --separate-printix-auth          Printix /oauth/token only on its own origin (printix.authUrl)
  --variants <json>                per API: {"printtracker": {"shuffle": true}, "pharos": {...}} (flags win)
Faults (all three APIs; change later with POST /__sandbox/faults)
  --latency-ms <ms>  --error-rate <0..1>  --rate-limit-rate <0..1>  --retry-after <s>
  --hang-rate <0..1>  --hang-ms <ms, 0 = never answer>  --outage <reset|503>  --wrong-credentials
  --reset-rate <0..1>              answers cut mid-body (headers and part of the body, then the socket closes)
  --chaos-rate <0..1>              share of requests given one of 5xx, 429, a hang or a mid-body reset
  --faults <json>                  per API: {"printtracker": {"errorRate": 0.1}, "pharos": {...}}
Output
  --json                           print one line of JSON with URLs and credentials
`;

const RATE_FLAGS: Record<string, keyof WorldRates> = {
  'unmanaged-rate': 'unmanaged',
  'sites-rate': 'sites',
  'replaced-rate': 'replaced',
  'stale-rate': 'staleAgent',
  'stopped-rate': 'stoppedCustomer',
  'late-rate': 'lateReading',
  'double-read-rate': 'doubleRead',
  'missed-read-rate': 'missedRead',
  'late-discovery-rate': 'lateDiscovery',
  'no-life-rate': 'noLifeFormat',
};

const VARIANT_BOOLEAN_FLAGS = ['meter-includes-children', 'omit-managed-field', 'shuffle', 'separate-printix-auth'] as const;

function choice<T extends string>(name: string, v: string | undefined, values: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new UsageError(`--${name}: must be one of ${values.join(', ')}`);
  return v as T;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name}: not a number: ${v}`);
  return n;
}

export function parseSandboxArgs(args: string[]): { options: SandboxOptions; json: boolean; help: boolean } {
  const stringFlags = [
    'seed', 'customers', 'devices-per-customer', 'other-dealers', 'other-dealer-customers', 'start', 'now',
    'printix-tenants', 'printtracker-port', 'pharos-port', 'printix-port', 'printix-auth-port', 'token-ttl', 'meter-max-range-days',
    'latency-ms', 'error-rate', 'rate-limit-rate', 'retry-after', 'hang-rate', 'hang-ms', 'reset-rate', 'chaos-rate', 'outage', 'faults', 'late-delay-hours',
    'redundant-installs-rate', 'repeated-reads-rate', 'most-recent-prior-to', 'no-total-rate', 'unreadable-counter-rate',
    'error-body', 'print-jobs-end', 'print-jobs-rows', 'variants',
    ...Object.keys(RATE_FLAGS),
  ];
  // parseArgs errors (unknown option, missing value) are usage errors.
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(stringFlags.map((f) => [f, { type: 'string' as const }])),
        json: { type: 'boolean' },
        'wrong-credentials': { type: 'boolean' },
        ...Object.fromEntries(VARIANT_BOOLEAN_FLAGS.map((f) => [f, { type: 'boolean' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values } = parsed;
  const s = (k: string): string | undefined => {
    const v = (values as Record<string, unknown>)[k];
    return typeof v === 'string' ? v : undefined;
  };

  const rates: Partial<WorldRates> = {};
  for (const [flag, key] of Object.entries(RATE_FLAGS)) {
    const v = num(flag, s(flag));
    if (v !== undefined) rates[key] = v;
  }

  const all: Partial<FaultSettings> = {};
  const setFault = <K extends keyof FaultSettings>(k: K, v: FaultSettings[K] | undefined) => {
    if (v !== undefined) all[k] = v;
  };
  setFault('latencyMs', num('latency-ms', s('latency-ms')));
  setFault('errorRate', num('error-rate', s('error-rate')));
  setFault('rateLimitRate', num('rate-limit-rate', s('rate-limit-rate')));
  setFault('retryAfterSeconds', num('retry-after', s('retry-after')));
  setFault('hangRate', num('hang-rate', s('hang-rate')));
  setFault('hangMs', num('hang-ms', s('hang-ms')));
  setFault('resetRate', num('reset-rate', s('reset-rate')));
  setFault('chaosRate', num('chaos-rate', s('chaos-rate')));
  if (values['wrong-credentials']) all.wrongCredentials = true;
  const outage = s('outage');
  if (outage !== undefined) {
    if (outage !== 'reset' && outage !== '503') throw new UsageError('--outage: must be reset or 503');
    all.outage = { mode: outage };
  }
  let perApi: SandboxOptions['faults'] = {};
  const faultsJson = s('faults');
  if (faultsJson !== undefined) {
    try {
      perApi = JSON.parse(faultsJson) as SandboxOptions['faults'];
    } catch {
      throw new UsageError('--faults: not valid JSON');
    }
    for (const api of Object.keys(perApi ?? {})) {
      if (api !== 'all' && !(API_NAMES as readonly string[]).includes(api)) {
        throw new UsageError(`--faults: unknown API "${api}" (use all, ${API_NAMES.join(', ')})`);
      }
    }
  }

  const lateText = s('late-delay-hours');
  let lateDelayHours: SandboxOptions['lateDelayHours'];
  if (lateText !== undefined) {
    const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(lateText);
    if (!m || !(Number(m[1]) < Number(m[2]))) throw new UsageError('--late-delay-hours: must be <min>-<max> hours, min below max (e.g. 24-72)');
    lateDelayHours = { min: Number(m[1]), max: Number(m[2]) };
  }

  const variants = parseVariants(s, (k) => (values as Record<string, unknown>)[k] === true);
  const printixPort = num('printix-port', s('printix-port')) ?? 4030;

  const options: SandboxOptions = {
    seed: s('seed') ?? '7',
    customers: num('customers', s('customers')),
    devicesPerCustomer: num('devices-per-customer', s('devices-per-customer')),
    otherDealers: num('other-dealers', s('other-dealers')),
    otherDealerCustomers: num('other-dealer-customers', s('other-dealer-customers')),
    start: s('start'),
    now: s('now'),
    printixTenants: num('printix-tenants', s('printix-tenants')),
    rates,
    lateDelayHours,
    printtrackerPort: num('printtracker-port', s('printtracker-port')) ?? 4010,
    pharosPort: num('pharos-port', s('pharos-port')) ?? 4020,
    printixPort,
    printixAuthPort: num('printix-auth-port', s('printix-auth-port')) ?? (printixPort === 0 ? 0 : printixPort + 1),
    variants,
    tokenTtlSeconds: num('token-ttl', s('token-ttl')),
    meterMaxRangeDays: num('meter-max-range-days', s('meter-max-range-days')),
    faults: { ...perApi, all: { ...perApi?.all, ...all } },
  };
  return { options, json: values.json === true, help: values.help === true };
}

/** `--variants` JSON first, then the flags on top (values are validated again by the sandbox, naming the variant). */
function parseVariants(s: (k: string) => string | undefined, on: (k: string) => boolean): VariantPatch {
  let base: Record<string, Record<string, unknown>> = {};
  const text = s('variants');
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UsageError('--variants: not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('--variants: must be a JSON object');
    base = parsed as Record<string, Record<string, unknown>>;
  }
  const pt: Record<string, unknown> = { ...base.printtracker };
  const ph: Record<string, unknown> = { ...base.pharos };
  const px: Record<string, unknown> = { ...base.printix };
  const set = (target: Record<string, unknown>, key: string, v: unknown) => {
    if (v !== undefined) target[key] = v;
  };
  if (on('meter-includes-children')) pt.meterIncludesChildren = true;
  if (on('omit-managed-field')) pt.omitManagedField = true;
  if (on('shuffle')) pt.shuffle = ph.shuffle = true;
  if (on('separate-printix-auth')) px.separateAuth = true;
  set(pt, 'redundantInstallsRate', num('redundant-installs-rate', s('redundant-installs-rate')));
  set(pt, 'repeatedReadsRate', num('repeated-reads-rate', s('repeated-reads-rate')));
  set(pt, 'noTotalRate', num('no-total-rate', s('no-total-rate')));
  set(pt, 'unreadableCounterRate', num('unreadable-counter-rate', s('unreadable-counter-rate')));
  set(pt, 'mostRecentPriorTo', choice('most-recent-prior-to', s('most-recent-prior-to'), PRIOR_TO_STYLES));
  const errorBody = choice('error-body', s('error-body'), ERROR_BODY_STYLES);
  set(pt, 'errorBody', errorBody);
  set(ph, 'errorBody', errorBody);
  set(ph, 'printJobsEnd', choice('print-jobs-end', s('print-jobs-end'), ['inclusive', 'exclusive'] as const));
  set(ph, 'printJobsRows', choice('print-jobs-rows', s('print-jobs-rows'), ['jobs', 'users'] as const));
  return { ...base, printtracker: pt, pharos: ph, printix: px } as VariantPatch;
}

/** The variants that differ from the defaults, as `api.name=value`. */
function changedVariants(v: VariantSettings): string[] {
  const out: string[] = [];
  for (const api of Object.keys(DEFAULT_VARIANTS) as (keyof VariantSettings)[]) {
    const defaults = DEFAULT_VARIANTS[api] as unknown as Record<string, unknown>;
    for (const [k, value] of Object.entries(v[api])) if (value !== defaults[k]) out.push(`${api}.${k}=${String(value)}`);
  }
  return out;
}

function describe(info: SandboxInfo, opts: SandboxOptions, start: string, variants: VariantSettings): string {
  const show = 10;
  const pt = info.printtracker;
  const lines = [
    `Canopy sandbox: seed ${opts.seed}, ${pt.customerEntityIds.length} customers, world from ${start}, clock ${opts.now ? `frozen at ${opts.now}` : 'real time'}`,
    '',
    `Print Tracker   ${pt.url}   (API base ${pt.url}/v1, header x-api-key)`,
    `  API key         ${pt.apiKey}`,
    `  dealer entity   ${pt.dealerEntityId}`,
    `  customer entities:`,
    ...pt.customerEntityIds.slice(0, show).map((id) => `    ${id}`),
    ...(pt.customerEntityIds.length > show ? [`    ... and ${pt.customerEntityIds.length - show} more (--json lists all)`] : []),
    '',
    `Pharos Cloud    ${info.pharos.url}   (GET /ReportApi/Reports/..., header "Authorization: bearer <key>")`,
    ...info.pharos.tenants.slice(0, show).map((t) => `  ${t.key}  ${t.name}`),
    ...(info.pharos.tenants.length > show ? [`  ... and ${info.pharos.tenants.length - show} more tenants`] : []),
    '',
    `Printix         ${info.printix.url}   (/public/partners/:partnerId/tenants${variants.printix.separateAuth ? '' : ', POST /oauth/token'})`,
    `  token endpoint  ${info.printix.authUrl}/oauth/token`,
    `  partner id      ${info.printix.partnerId}`,
    `  client id       ${info.printix.clientId}`,
    `  client secret   ${info.printix.clientSecret}`,
    '',
    `Ground truth    ${pt.url}/__sandbox/truth?entity=<id>&start=YYYY-MM-DD&end=YYYY-MM-DD[&scope=managed_only]`,
    `                ${info.pharos.url}/__sandbox/truth?tenant=<key>&start=YYYY-MM-DD&end=YYYY-MM-DD`,
    `Knobs           GET|POST|DELETE <any url>/__sandbox/faults and /__sandbox/variants, GET|DELETE /__sandbox/stats, GET|POST /__sandbox/clock`,
    `Variants        ${changedVariants(variants).join(', ') || 'none (every reading as the sandbox first guessed it)'}`,
    '',
    'Press Ctrl+C to stop.',
  ];
  return lines.join('\n');
}

export async function run(args: string[]): Promise<void> {
  const { options, json, help } = parseSandboxArgs(args);
  if (help) {
    process.stdout.write(HELP);
    return;
  }
  let sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (e) {
    // Bad world options (e.g. --customers 0, a start that is not a date) are usage errors; busy ports are not.
    if (e instanceof Error && /^[a-zA-Z.]+: /.test(e.message) && !('code' in e)) throw new UsageError(e.message);
    throw e;
  }
  const info = sandbox.info();
  if (json) process.stdout.write(`${JSON.stringify(info)}\n`);
  else process.stdout.write(`${describe(info, options, sandbox.world.options.start, sandbox.world.variants.settings)}\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.close();
  if (!json) process.stdout.write('sandbox stopped\n');
}

if (import.meta.main) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`canopy sandbox: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
