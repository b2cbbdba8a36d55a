// startSandbox(): one synthetic world served by the Print Tracker, Pharos Cloud and Printix simulators on local ports.

import { startApiServer, type ApiServer } from './http/api-server.ts';
import { json } from './http/router.ts';
import { FaultInjector, NO_FAULTS, mergeFaults, type FaultSettings } from './faults.ts';
import { pharosControlRoutes, pharosError, pharosRoutes } from './pharos/routes.ts';
import { printTrackerControlRoutes, printTrackerError, printTrackerRoutes } from './printtracker/routes.ts';
import { printixCredentials } from './printix/oauth.ts';
import { newPrintixState, printixAuthRoutes, printixRoutes, errorBody as printixError } from './printix/routes.ts';
import type { WorldOptions } from './world/options.ts';
import { World } from './world/world.ts';

export type ApiName = 'printtracker' | 'pharos' | 'printix';
export const API_NAMES: readonly ApiName[] = ['printtracker', 'pharos', 'printix'];

export interface SandboxOptions extends WorldOptions {
  /** 0 (the default) picks a free port. */
  printtrackerPort?: number;
  pharosPort?: number;
  printixPort?: number;
  /** Port of the Printix token endpoint's own origin (`printix.authUrl`). */
  printixAuthPort?: number;
  /** Initial fault knobs: `all` applies to the three APIs, then each API's own entry on top. */
  faults?: Partial<Record<ApiName | 'all', Partial<FaultSettings>>>;
  /** Printix access token lifetime (`expires_in`), seconds. */
  tokenTtlSeconds?: number;
  /** Longest span Print Tracker `/meter` accepts, days (0 = unlimited). */
  meterMaxRangeDays?: number;
}

export interface SandboxInfo {
  printtracker: { url: string; apiKey: string; dealerEntityId: string; customerEntityIds: string[] };
  pharos: { url: string; tenants: { name: string; key: string }[] };
  /** `authUrl`: the origin of the Printix token endpoint (`POST {authUrl}/oauth/token`); always served. */
  printix: { url: string; authUrl: string; partnerId: string; clientId: string; clientSecret: string };
}

export interface Sandbox extends SandboxInfo {
  world: World;
  /** `printixAuth` serves only the Printix token endpoint, on its own port (and shares Printix's faults). */
  servers: Record<ApiName | 'printixAuth', ApiServer>;
  /** The credentials and ids as printed by `canopy sandbox --json`. */
  info(): SandboxInfo;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const world = new World(opts);
  const seed = world.options.seed;
  const faultsFor = (api: ApiName): FaultInjector => {
    let settings = NO_FAULTS;
    if (opts.faults?.all) settings = mergeFaults(settings, opts.faults.all);
    if (opts.faults?.[api]) settings = mergeFaults(settings, opts.faults[api]);
    return new FaultInjector(seed, api, settings);
  };
  const creds = printixCredentials(seed);
  const tokenTtl = opts.tokenTtlSeconds ?? 599;
  if (!(Number.isFinite(tokenTtl) && tokenTtl > 0)) throw new Error('tokenTtlSeconds: must be > 0');

  const started: ApiServer[] = [];
  const printixReply = (status: number, message: string, headers?: Record<string, string>) => json(status, printixError(status, message), headers);
  try {
    const printtracker = await startApiServer({
      name: 'printtracker',
      world,
      routes: printTrackerRoutes(world, { meterMaxRangeDays: opts.meterMaxRangeDays ?? 0 }),
      controlRoutes: printTrackerControlRoutes(world),
      faults: faultsFor('printtracker'),
      errorReply: printTrackerError(world),
    }, opts.printtrackerPort ?? 0);
    started.push(printtracker);
    const pharos = await startApiServer({
      name: 'pharos',
      world,
      routes: pharosRoutes(world),
      controlRoutes: pharosControlRoutes(world),
      faults: faultsFor('pharos'),
      errorReply: pharosError(world),
    }, opts.pharosPort ?? 0);
    started.push(pharos);
    const printixState = newPrintixState(world, creds, tokenTtl);
    const printixFaults = faultsFor('printix');
    const printix = await startApiServer({
      name: 'printix',
      world,
      routes: printixRoutes(world, creds, printixState),
      faults: printixFaults,
      errorReply: printixReply,
    }, opts.printixPort ?? 0);
    started.push(printix);
    // One token store and one set of fault knobs for both Printix origins, as one upstream.
    const printixAuth = await startApiServer({
      name: 'printix-auth',
      world,
      routes: printixAuthRoutes(printixState),
      faults: printixFaults,
      errorReply: printixReply,
    }, opts.printixAuthPort ?? 0);
    started.push(printixAuth);

    const dealer = world.primaryDealer();
    const customers = world.primaryCustomerIndices();
    const info: SandboxInfo = {
      printtracker: {
        url: printtracker.url,
        apiKey: dealer.apiKey,
        dealerEntityId: dealer.id,
        customerEntityIds: customers.map((g) => world.fleet.customer(g).id),
      },
      pharos: {
        url: pharos.url,
        tenants: customers.map((g) => ({ name: world.fleet.customer(g).name, key: world.pharosKey(g) })),
      },
      printix: { url: printix.url, authUrl: printixAuth.url, ...creds },
    };
    let closed: Promise<void> | undefined;
    return {
      ...info,
      world,
      servers: { printtracker, pharos, printix, printixAuth },
      info: () => info,
      close: () => (closed ??= Promise.all(started.map((s) => s.close())).then(() => undefined)),
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
}
