// Variants: switches for the readings of the upstream APIs that the sources leave open (each defaults to the sandbox's first guess).

export type PriorToStyle = 'array' | 'object-or-404' | 'object-or-empty-array' | 'object-or-null' | 'object-or-zero';
export const PRIOR_TO_STYLES: readonly PriorToStyle[] = ['array', 'object-or-404', 'object-or-empty-array', 'object-or-null', 'object-or-zero'];

export type ErrorBodyStyle = 'json' | 'message' | 'text' | 'html';
export const ERROR_BODY_STYLES: readonly ErrorBodyStyle[] = ['json', 'message', 'text', 'html'];

export type RangeEnd = 'inclusive' | 'exclusive';
export type JobRowsStyle = 'jobs' | 'users';

export interface PrintTrackerVariants {
  /** `/entity/:id/meter` also serves the reads of devices on the entity's descendants (sites). */
  meterIncludesChildren: boolean;
  /** Share of entities with 2 or 3 redundant installs, each reporting every device of the entity (one read per install). */
  redundantInstallsRate: number;
  /** Share of reads served twice, with the very same id, in one `/meter` answer. */
  repeatedReadsRate: number;
  /** What `mostRecentPriorTo` answers: `[read]`/`[]`, or one read object and, when there is none, 404, `[]`, `null` or a zero-valued read. */
  mostRecentPriorTo: PriorToStyle;
  /** Share of devices that report no `total` counter (local USB devices: black and colour only). */
  noTotalRate: number;
  /** Share of reads whose lifetime counter is unreadable (`"N/A"`, `"1,234,567"`, a JSON number, ...); as many carry an unreadable counter a collector does not use. */
  unreadableCounterRate: number;
  /** Device objects without the sandbox's `managed` field, as the public documentation shows them. */
  omitManagedField: boolean;
  /** Result arrays in a deterministic order that is not chronological; genealogy from the parent up. */
  shuffle: boolean;
  /** Shape of error bodies: the documented JSON, `{"message"}`, plain text or an HTML page. */
  errorBody: ErrorBodyStyle;
}

export interface PharosVariants {
  /** Whether `PrintJobs/{from}/{to}` includes the `to` day. */
  printJobsEnd: RangeEnd;
  /** `PrintJobs` rows: one per job, or one summary per user for the whole range. */
  printJobsRows: JobRowsStyle;
  shuffle: boolean;
  errorBody: ErrorBodyStyle;
}

export interface PrintixVariants {
  /** `/oauth/token` only on its own origin (`printix.authUrl`); the API port answers 404 to it. */
  separateAuth: boolean;
}

export interface VariantSettings {
  printtracker: PrintTrackerVariants;
  pharos: PharosVariants;
  printix: PrintixVariants;
}

export type VariantPatch = { [K in keyof VariantSettings]?: Partial<VariantSettings[K]> };

export const DEFAULT_VARIANTS: VariantSettings = {
  printtracker: {
    meterIncludesChildren: false,
    redundantInstallsRate: 0,
    repeatedReadsRate: 0,
    mostRecentPriorTo: 'array',
    noTotalRate: 0,
    unreadableCounterRate: 0,
    omitManagedField: false,
    shuffle: false,
    errorBody: 'json',
  },
  pharos: { printJobsEnd: 'inclusive', printJobsRows: 'jobs', shuffle: false, errorBody: 'json' },
  printix: { separateAuth: false },
};

type Check = (name: string, v: unknown) => unknown;

const bool: Check = (name, v) => {
  if (typeof v !== 'boolean') throw new RangeError(`${name}: must be true or false`);
  return v;
};
const rate: Check = (name, v) => {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`${name}: must be a number between 0 and 1`);
  return v;
};
const oneOf = (values: readonly string[]): Check => (name, v) => {
  if (typeof v !== 'string' || !values.includes(v)) throw new RangeError(`${name}: must be one of ${values.join(', ')}`);
  return v;
};

const CHECKS: { [K in keyof VariantSettings]: Record<keyof VariantSettings[K], Check> } = {
  printtracker: {
    meterIncludesChildren: bool,
    redundantInstallsRate: rate,
    repeatedReadsRate: rate,
    mostRecentPriorTo: oneOf(PRIOR_TO_STYLES),
    noTotalRate: rate,
    unreadableCounterRate: rate,
    omitManagedField: bool,
    shuffle: bool,
    errorBody: oneOf(ERROR_BODY_STYLES),
  },
  pharos: { printJobsEnd: oneOf(['inclusive', 'exclusive']), printJobsRows: oneOf(['jobs', 'users']), shuffle: bool, errorBody: oneOf(ERROR_BODY_STYLES) },
  printix: { separateAuth: bool },
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges a partial update (as posted to `/__sandbox/variants`) into settings, validating every field. */
export function mergeVariants(current: VariantSettings, patch: unknown): VariantSettings {
  if (!isObject(patch)) throw new RangeError('body: must be a JSON object');
  const next: VariantSettings = {
    printtracker: { ...current.printtracker },
    pharos: { ...current.pharos },
    printix: { ...current.printix },
  };
  for (const [api, fields] of Object.entries(patch)) {
    if (!(api in CHECKS)) throw new RangeError(`${api}: unknown API (known: ${Object.keys(CHECKS).join(', ')})`);
    if (!isObject(fields)) throw new RangeError(`${api}: must be a JSON object`);
    const checks = CHECKS[api as keyof VariantSettings] as Record<string, Check>;
    const target = next[api as keyof VariantSettings] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) {
      const check = checks[k];
      if (!check) throw new RangeError(`${api}.${k}: unknown variant (known: ${Object.keys(checks).join(', ')})`);
      target[k] = check(`${api}.${k}`, v);
    }
  }
  return next;
}

/** The live variant settings of one sandbox: every simulator and the ground truth read them on each request. */
export class Variants {
  settings: VariantSettings;

  constructor(initial: unknown = {}) {
    this.settings = mergeVariants(DEFAULT_VARIANTS, initial);
  }

  get printtracker(): PrintTrackerVariants {
    return this.settings.printtracker;
  }

  get pharos(): PharosVariants {
    return this.settings.pharos;
  }

  get printix(): PrintixVariants {
    return this.settings.printix;
  }

  update(patch: unknown): VariantSettings {
    this.settings = mergeVariants(this.settings, patch);
    return this.settings;
  }

  reset(): VariantSettings {
    this.settings = mergeVariants(DEFAULT_VARIANTS, {});
    return this.settings;
  }
}
