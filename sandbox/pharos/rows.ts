// Pharos Cloud report rows (the sources omit them; the sandbox defines them, README documents them).

import { isoMonth, isoSeconds } from '../world/calendar.ts';
import type { Device } from '../world/fleet.ts';
import { hash, salt, uuidFrom } from '../world/hash.ts';
import { userName, type Job } from '../world/jobs.ts';
import type { Reading } from '../world/readings.ts';
import type { World } from '../world/world.ts';

const DEVICE_ID = salt('pharos-device');
const OFFLINE_AFTER_MS = 2 * 86_400_000;

function deviceFields(world: World, d: Device) {
  const e = world.fleet.entity(d.entityId);
  return {
    DeviceId: uuidFrom(world.seed, DEVICE_ID, d.index),
    DeviceName: `PRN-${d.serialNumber.slice(-5)}`,
    Manufacturer: d.model.make,
    Model: d.model.model,
    SerialNumber: d.serialNumber,
    IpAddress: d.ipAddress,
    Location: e ? e.name : '',
  };
}

export function meterRow(world: World, r: Reading) {
  const c = world.readings.counters(r.device, r.t);
  return {
    ...deviceFields(world, r.device),
    LastReadingTime: isoSeconds(r.t),
    TotalCount: c.life,
    BlackCount: c.lifeBlack,
    ColorCount: c.lifeColor,
  };
}

export function statusRow(world: World, d: Device, r: Reading | undefined) {
  const now = world.now();
  const offline = !r || now - r.t > OFFLINE_AFTER_MS;
  const toner = r ? world.printing.tonerLevel(d, world.readings.lifeCount(d, r.t), 0) : 100;
  const status = offline ? 'Offline' : toner < 10 ? 'Warning' : 'Online';
  const message = offline ? 'Device has not reported recently' : toner < 10 ? 'Toner low' : 'Ready';
  const f = deviceFields(world, d);
  return {
    DeviceId: f.DeviceId,
    DeviceName: f.DeviceName,
    Model: f.Model,
    SerialNumber: f.SerialNumber,
    IpAddress: f.IpAddress,
    Location: f.Location,
    Status: status,
    StatusMessage: message,
    LastSeen: r ? isoSeconds(r.t) : null,
  };
}

export function tonerRows(world: World, r: Reading) {
  const d = r.device;
  const c = world.readings.counters(d, r.t);
  const f = deviceFields(world, d);
  const colors = d.colorShare > 0 ? ['Black', 'Cyan', 'Magenta', 'Yellow'] : ['Black'];
  return colors.map((Color, k) => ({
    DeviceId: f.DeviceId,
    DeviceName: f.DeviceName,
    Model: f.Model,
    SerialNumber: f.SerialNumber,
    Color,
    LevelPercent: world.printing.tonerLevel(d, k === 0 ? c.life : c.lifeColor, k),
    LastSeen: isoSeconds(r.t),
  }));
}

export function jobRow(world: World, j: Job) {
  const f = deviceFields(world, j.device);
  return {
    JobId: j.id,
    PrintedAt: isoSeconds(j.t),
    UserName: userName(world.fleet, j.device.customer, j.user),
    DeviceId: f.DeviceId,
    DeviceName: f.DeviceName,
    SerialNumber: f.SerialNumber,
    Pages: j.pages,
    Sheets: j.sheets,
    Color: j.color,
    Duplex: j.duplex,
    PaperSize: j.paperSize,
  };
}

export interface MonthlyRow {
  Month: string;
  UserName: string;
  Jobs: number;
  Pages: number;
  Sheets: number;
  ColorPages: number;
  DuplexPages: number;
}

/** Sums jobs per (month, user), in month then user order. */
export function monthlyRows(world: World, jobs: Iterable<Job>): MonthlyRow[] {
  const rows = new Map<string, MonthlyRow>();
  for (const j of jobs) {
    const Month = isoMonth(Math.floor(j.t / 86_400_000));
    const UserName = userName(world.fleet, j.device.customer, j.user);
    const key = `${Month} ${UserName}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { Month, UserName, Jobs: 0, Pages: 0, Sheets: 0, ColorPages: 0, DuplexPages: 0 }));
    row.Jobs++;
    row.Pages += j.pages;
    row.Sheets += j.sheets;
    if (j.color) row.ColorPages += j.pages;
    if (j.duplex) row.DuplexPages += j.pages;
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

/** A per-user summary of the print jobs of a range (the `printJobsRows: users` variant): no job, time or device. */
export interface UserSummaryRow {
  UserName: string;
  FullName: string;
  Department: string;
  Jobs: number;
  Pages: number;
  Sheets: number;
  ColorPages: number;
  MonoPages: number;
  DuplexPages: number;
  SimplexPages: number;
}

const SURNAMES = ['Archer', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Khan', 'Larsen', 'Moreau',
  'Novak', 'Okafor', 'Patel', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Usman', 'Varga', 'Weber', 'Xu', 'Young', 'Zimmer'];
const DEPARTMENTS = ['Finance', 'Sales', 'Operations', 'Engineering', 'Human Resources', 'Legal', 'Marketing', 'Front Office'];
const DEPARTMENT = salt('pharos-department');

/** Sums jobs per user over the whole range, in user name order. */
export function userSummaryRows(world: World, jobs: Iterable<Job>): UserSummaryRow[] {
  const rows = new Map<string, UserSummaryRow>();
  for (const j of jobs) {
    const UserName = userName(world.fleet, j.device.customer, j.user);
    let row = rows.get(UserName);
    if (!row) {
      // The login is `first.<surname initial><n>@domain`: the full name follows it.
      const first = UserName.slice(0, UserName.indexOf('.'));
      const initial = UserName.charCodeAt(first.length + 1) - 97;
      rows.set(UserName, (row = {
        UserName,
        FullName: `${first[0].toUpperCase()}${first.slice(1)} ${SURNAMES[initial % SURNAMES.length]}`,
        Department: DEPARTMENTS[hash(world.seed, DEPARTMENT, j.device.customer, j.user) % DEPARTMENTS.length],
        Jobs: 0, Pages: 0, Sheets: 0, ColorPages: 0, MonoPages: 0, DuplexPages: 0, SimplexPages: 0,
      }));
    }
    row.Jobs++;
    row.Pages += j.pages;
    row.Sheets += j.sheets;
    if (j.color) row.ColorPages += j.pages;
    else row.MonoPages += j.pages;
    if (j.duplex) row.DuplexPages += j.pages;
    else row.SimplexPages += j.pages;
  }
  return [...rows.values()].sort((a, b) => (a.UserName < b.UserName ? -1 : a.UserName > b.UserName ? 1 : 0));
}
