// Printix tenants of the partner (seeded from the primary dealer's customers, plus any created) and their HAL bodies.

import { HOUR } from '../world/calendar.ts';
import { hash, salt, uuidFrom } from '../world/hash.ts';
import type { World } from '../world/world.ts';

export interface Tenant {
  /** Stable number for hashing: the customer index for seeded tenants, 1,000,000 + n for created ones. */
  key: number;
  id: string;
  name: string;
  /** Subdomain label: `acme` for acme.printix.net. */
  domain: string;
  createdAt: number;
  /** Licensed users; printing users vary per billing period. */
  users: number;
  /** Seeded tenants vary deterministically per period; created tenants start with no printing users. */
  seeded: boolean;
  initialUser?: { email: string; name: string; create_as_admin: boolean };
}

const TENANT = salt('printix-tenant');
const BILLING = salt('printix-billing');

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

export class TenantStore {
  private readonly world: World;
  readonly tenants: Tenant[] = [];
  private created = 0;

  constructor(world: World) {
    this.world = world;
    const f = world.fleet;
    for (let g = 0; g < world.options.printixTenants; g++) {
      const c = f.customer(g);
      this.tenants.push({
        key: g,
        id: uuidFrom(f.seed, TENANT, g),
        name: c.name,
        domain: c.domain,
        createdAt: f.startMs + (hash(f.seed, TENANT, g, 1) % (28 * 24)) * HOUR,
        users: c.users,
        seeded: true,
      });
    }
  }

  get(id: string): Tenant | undefined {
    return this.tenants.find((t) => t.id === id);
  }

  byDomain(domain: string): Tenant | undefined {
    return this.tenants.find((t) => t.domain === domain);
  }

  create(name: string, domain: string, initialUser: Tenant['initialUser']): Tenant {
    const n = this.created++;
    const t: Tenant = {
      key: 1_000_000 + n,
      id: uuidFrom(this.world.seed, TENANT, 1_000_000 + n),
      name,
      domain,
      createdAt: this.world.now(),
      users: initialUser ? 1 : 0,
      seeded: false,
      ...(initialUser ? { initialUser } : {}),
    };
    this.tenants.push(t);
    return t;
  }

  private period(t: Tenant, k: number) {
    const start = addMonths(t.createdAt, k);
    const end = addMonths(t.createdAt, k + 1);
    const inLife = k >= 0;
    const licenses = inLife ? t.users : 0;
    const printing = !inLife || !t.seeded
      ? 0
      : Math.round(t.users * (0.55 + 0.4 * (hash(this.world.seed, BILLING, t.key, k) / 4294967296)));
    return {
      period_start: new Date(start).toISOString(),
      period_end: new Date(end).toISOString(),
      printing_users: Math.min(printing, licenses),
      user_licenses: licenses,
    };
  }

  billingInfo(t: Tenant, base: string, partnerId: string) {
    // A clock moved before creation shows the first period.
    const now = Math.max(this.world.now(), t.createdAt);
    let k = 0;
    while (addMonths(t.createdAt, k + 1) <= now && k < 10_000) k++;
    const current = this.period(t, k);
    return {
      _links: { self: { href: `${base}/public/partners/${partnerId}/tenants/${t.id}/billing-info` } },
      current_user_licenses: current.user_licenses,
      current_billing_period: current,
      previous_billing_period: this.period(t, k - 1),
    };
  }

  tenantBody(t: Tenant, base: string, partnerId: string) {
    const self = `${base}/public/partners/${partnerId}/tenants/${t.id}`;
    return {
      tenant_name: t.name,
      tenant_domain: `${t.domain}.printix.net`,
      billing_info: this.billingInfo(t, base, partnerId),
      _links: { self: { href: self }, billing_info: { href: `${self}/billing-info` } },
    };
  }
}

