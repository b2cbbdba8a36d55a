// Print Tracker response bodies: entities, devices and meter reads (counter values are decimal strings).

import { DAY, MINUTE, isoMillis } from '../world/calendar.ts';
import type { Device, Entity } from '../world/fleet.ts';
import { hash, salt } from '../world/hash.ts';
import type { Reading } from '../world/readings.ts';
import type { World } from '../world/world.ts';

const STREETS = ['Main St', 'Oak Ave', 'Market St', 'Park Blvd', 'Industrial Way', 'Commerce Dr'];
const ADDR = salt('address');

function addressFor(world: World, e: Entity) {
  const f = world.fleet;
  const customer = e.kind === 'dealer' ? undefined : f.customer(e.kind === 'customer' ? e.index : e.customer);
  const place = customer?.place ?? { city: 'Denver', state: 'CO', country: 'US' };
  const h = hash(f.seed, ADDR, e.kind === 'dealer' ? 1 : 2, e.index);
  return {
    address1: `${100 + (h % 9800)} ${STREETS[h % STREETS.length]}`,
    city: place.city,
    state: place.state,
    postalCode: String(10000 + (h % 89999)),
    country: place.country,
  };
}

export function entityBody(world: World, e: Entity, includeChildren: boolean) {
  const f = world.fleet;
  const children: { id: string; name: string }[] = [];
  if (includeChildren) {
    let first = true;
    for (const x of f.subtree(e)) {
      if (first) {
        first = false;
        continue;
      }
      children.push({ id: x.id, name: x.name });
    }
  }
  return {
    id: e.id,
    name: e.name,
    genealogy: f.genealogy(e),
    addresses: [addressFor(world, e)],
    children,
    labels: {},
  };
}

export function deviceCreatedAt(d: Device): number {
  return d.firstReadDay * DAY + d.readMinute * MINUTE;
}

export function deviceBody(world: World, d: Device) {
  const now = world.now();
  const created = deviceCreatedAt(d);
  const modified = d.replacedAt !== undefined && d.replacedAt <= now ? d.replacedAt : created;
  const e = world.fleet.entity(d.entityId);
  return {
    id: d.id,
    createdDate: isoMillis(created),
    modifiedDate: isoMillis(modified),
    entityKey: d.entityId,
    installKeys: [d.installKey],
    make: d.model.make,
    model: d.model.model,
    serialNumber: d.serialNumber,
    customSerialNumber: '',
    ipAddress: d.ipAddress,
    macAddress: d.macAddress,
    location: e ? e.name : '',
    customLocation: '',
    assetID: `A${String(d.index).padStart(6, '0')}`,
    note: '',
    isLocal: true,
    firmware: { version: `${2 + (d.index % 5)}.${d.index % 10}.${(d.index * 7) % 100}` },
    labels: {},
    managed: d.managed,
  };
}

const counter = (displayName: string, value: number) => ({ displayName, value: String(value) });

export function meterReadBody(world: World, r: Reading) {
  const d = r.device;
  const c = world.readings.counters(d, r.t);
  const color = d.colorShare > 0;
  const lifeShownAsDefault = !d.hasLifeFormat;
  // Devices without a `life` format report their lifetime counter as `default`.
  const dflt = lifeShownAsDefault
    ? { total: c.life, black: c.lifeBlack, color: c.lifeColor }
    : { total: c.prints, black: c.printsBlack, color: c.printsColor };
  const pageCounts: Record<string, Record<string, { displayName: string; value: string }>> = {
    default: {
      total: counter('Total', dflt.total),
      totalBlack: counter('Total Black', dflt.black),
      ...(color ? { totalColor: counter('Total Color', dflt.color) } : {}),
    },
  };
  if (d.hasLifeFormat) {
    pageCounts.life = {
      total: counter('Life Total', c.life),
      totalBlack: counter('Life Total Black', c.lifeBlack),
      ...(color ? { totalColor: counter('Life Total Color', c.lifeColor) } : {}),
    };
  }
  const supplies: Record<string, { displayName: string; value: string; unit: string }> = {
    blackToner: { displayName: 'Black Toner', value: String(world.printing.tonerLevel(d, c.life, 0)), unit: 'percent' },
  };
  if (color) {
    ['cyan', 'magenta', 'yellow'].forEach((name, k) => {
      supplies[`${name}Toner`] = {
        displayName: `${name[0].toUpperCase()}${name.slice(1)} Toner`,
        value: String(world.printing.tonerLevel(d, c.lifeColor, k + 1)),
        unit: 'percent',
      };
    });
  }
  return {
    id: world.readings.readingId(r),
    entityKey: d.entityId,
    installKey: d.installKey,
    deviceKey: d.id,
    timestamp: isoMillis(r.t),
    pageCounts,
    supplies,
  };
}
