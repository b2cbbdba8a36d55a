// Print Tracker response bodies: entities, devices and meter reads (counter values are decimal strings).

import { DAY, MINUTE, isoMillis } from '../world/calendar.ts';
import type { Device, Entity } from '../world/fleet.ts';
import { hash, salt, shuffledBy } from '../world/hash.ts';
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
  let children: { id: string; name: string }[] = [];
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
  let genealogy = f.genealogy(e);
  if (world.variants.printtracker.shuffle) {
    children = shuffledBy(children, f.seed, (c) => c.id);
    genealogy = [...genealogy].reverse();
  }
  return {
    id: e.id,
    name: e.name,
    genealogy,
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
  const f = world.fleet;
  const e = f.entity(d.entityId);
  // Local devices hang off a workstation by USB: no address of their own.
  const local = !f.hasTotal(d.index);
  return {
    id: d.id,
    createdDate: isoMillis(created),
    modifiedDate: isoMillis(modified),
    entityKey: d.entityId,
    installKeys: f.installKeys(d.customer, d.slot),
    make: d.model.make,
    model: d.model.model,
    serialNumber: d.serialNumber,
    customSerialNumber: '',
    ipAddress: local ? '' : d.ipAddress,
    macAddress: local ? '' : d.macAddress,
    location: e ? e.name : '',
    customLocation: '',
    assetID: `A${String(d.index).padStart(6, '0')}`,
    note: '',
    isLocal: local,
    firmware: { version: `${2 + (d.index % 5)}.${d.index % 10}.${(d.index * 7) % 100}` },
    labels: {},
    ...(world.variants.printtracker.omitManagedField ? {} : { managed: d.managed }),
  };
}

type CounterText = string | number;
interface Counter {
  displayName: string;
  value: CounterText;
}

const counter = (displayName: string, value: number): Counter => ({ displayName, value: String(value) });

/**
 * An unreadable rendering of a counter value (forms 0 .. GARBLE_FORMS - 1): none is a decimal string, so a
 * collector must skip it; several would parse to a number with a lenient parser (that is the trap).
 */
export function garbledCounter(form: number, value: number): CounterText {
  switch (form) {
    case 0: return 'N/A';
    case 1: return '';
    // Thousands separators need a value of four digits to show one.
    case 2: return value >= 1000 ? String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : 'N/A';
    case 3: return `${(value / 1000).toFixed(1)}k`;
    case 4: return value;
    case 5: return '-1';
    default: return `${value}.0`;
  }
}

/**
 * A meter read as install `copy` of the device's entity reports it (0 = the device's own install; redundant
 * installs report the same timestamp and counters under their own read id and installKey).
 */
export function meterReadBody(world: World, r: Reading, copy = 0) {
  const d = r.device;
  const f = world.fleet;
  const c = world.readings.counters(d, r.t);
  const color = d.colorShare > 0;
  const pageCounts: Record<string, Record<string, Counter>> = {};
  if (!f.hasTotal(d.index)) {
    // Local (USB) devices: black and colour only, no total in any format.
    pageCounts.default = {
      totalBlack: counter('Total Black', c.lifeBlack),
      ...(color ? { totalColor: counter('Total Color', c.lifeColor) } : {}),
    };
  } else {
    const lifeShownAsDefault = !d.hasLifeFormat;
    // Devices without a `life` format report their lifetime counter as `default`.
    const dflt = lifeShownAsDefault
      ? { total: c.life, black: c.lifeBlack, color: c.lifeColor }
      : { total: c.prints, black: c.printsBlack, color: c.printsColor };
    pageCounts.default = {
      total: counter('Total', dflt.total),
      totalBlack: counter('Total Black', dflt.black),
      ...(color ? { totalColor: counter('Total Color', dflt.color) } : {}),
    };
    if (d.hasLifeFormat) {
      pageCounts.life = {
        total: counter('Life Total', c.life),
        totalBlack: counter('Life Total Black', c.lifeBlack),
        ...(color ? { totalColor: counter('Life Total Color', c.lifeColor) } : {}),
      };
    }
    const used = d.hasLifeFormat ? pageCounts.life : pageCounts.default;
    const lifetime = world.readings.lifetimeGarble(r);
    if (lifetime >= 0) used.total = { ...used.total, value: garbledCounter(lifetime, c.life) };
    const other = world.readings.otherGarble(r);
    if (other >= 0) used.totalBlack = { ...used.totalBlack, value: garbledCounter(other, c.lifeBlack) };
  }
  const supplies: Record<string, { displayName: string; value: string; unit: string }> = {};
  if (f.hasTotal(d.index)) {
    supplies.blackToner = { displayName: 'Black Toner', value: String(world.printing.tonerLevel(d, c.life, 0)), unit: 'percent' };
    if (color) {
      ['cyan', 'magenta', 'yellow'].forEach((name, k) => {
        supplies[`${name}Toner`] = {
          displayName: `${name[0].toUpperCase()}${name.slice(1)} Toner`,
          value: String(world.printing.tonerLevel(d, c.lifeColor, k + 1)),
          unit: 'percent',
        };
      });
    }
  }
  const stored = isoMillis(r.visibleAt);
  return {
    id: world.readings.readingId(r, copy),
    createdDate: stored,
    modifiedDate: stored,
    entityKey: d.entityId,
    installKey: copy === 0 ? d.installKey : f.installKeys(d.customer, d.slot)[copy],
    deviceKey: d.id,
    timestamp: isoMillis(r.t),
    pageCounts,
    supplies,
  };
}

/** A Go zero-valued meter read: what a server that marshals an empty struct answers when there is none. */
export function zeroMeterRead() {
  const zero = '0001-01-01T00:00:00Z';
  return { id: '', createdDate: zero, modifiedDate: zero, entityKey: '', installKey: '', deviceKey: '', timestamp: zero, pageCounts: null, supplies: null };
}
