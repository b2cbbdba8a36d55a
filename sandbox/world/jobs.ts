// Print jobs (Pharos): each device-day's printed pages split into jobs placed on the same curve as the counters.

import { DAY, HOUR } from './calendar.ts';
import { hash, salt, unit, uuidFrom } from './hash.ts';
import type { Device, Fleet } from './fleet.ts';
import type { Printing } from './printing.ts';

const J = { split: salt('job-split'), attr: salt('job-attr'), id: salt('job-id') };
const MAX_JOBS_PER_DAY = 40;

export interface Job {
  id: string;
  device: Device;
  /** When the job finished printing (UTC ms). */
  t: number;
  user: number;
  pages: number;
  sheets: number;
  color: boolean;
  duplex: boolean;
  paperSize: string;
}

export class Jobs {
  private readonly fleet: Fleet;
  private readonly printing: Printing;

  constructor(fleet: Fleet, printing: Printing) {
    this.fleet = fleet;
    this.printing = printing;
  }

  /** Every job a device finishes on a UTC day; their pages sum to what it printed that day. */
  onDay(device: Device, day: number): Job[] {
    const from = day * DAY;
    const total = this.printing.printedBetween(device, from, from + DAY);
    if (total <= 0) return [];
    const seed = this.fleet.seed;
    const i = device.index;
    const count = Math.max(1, Math.min(MAX_JOBS_PER_DAY, Math.round(total / 4), total));
    const weights: number[] = [];
    let weightSum = 0;
    for (let k = 0; k < count; k++) {
      const u = unit(seed, J.split, i, day, k);
      const w = 0.05 + u * u * u;
      weights.push(w);
      weightSum += w;
    }
    const rest = total - count;
    const pages = weights.map((w) => 1 + Math.floor((rest * w) / weightSum));
    let leftover = total - pages.reduce((a, b) => a + b, 0);
    for (let k = 0; leftover > 0; k = (k + 1) % count, leftover--) pages[k]++;

    // The day's cumulative curve, hourly; each job finishes where the curve reaches its last page.
    const curve: number[] = [];
    for (let h = 0; h <= 24; h++) curve.push(this.printing.printedBetween(device, from, from + h * HOUR));
    const c = this.fleet.customer(device.customer);
    const us = c.place.country === 'US';
    const jobs: Job[] = [];
    let end = 0;
    let h = 0;
    for (let k = 0; k < count; k++) {
      end += pages[k];
      while (h < 24 && curve[h + 1] < end) h++;
      const span = curve[h + 1] - curve[h];
      const frac = span > 0 ? (end - curve[h]) / span : 1;
      // Whole seconds, nudged by up to a minute so times do not sit on round fractions of the hour.
      const second = Math.floor((frac * HOUR) / 1000) + (hash(seed, J.attr, i, day, k * 4 + 4) % 60);
      const t = from + h * HOUR + Math.min(HOUR - 1000, second * 1000);
      const duplex = unit(seed, J.attr, i, day, k * 4) < 0.45;
      const color = device.colorShare > 0 && unit(seed, J.attr, i, day, k * 4 + 1) < device.colorShare;
      const p = unit(seed, J.attr, i, day, k * 4 + 2);
      const paperSize = us ? (p < 0.9 ? 'Letter' : p < 0.97 ? 'Legal' : 'Tabloid') : p < 0.93 ? 'A4' : 'A3';
      jobs.push({
        id: uuidFrom(seed, J.id, i, day, k),
        device,
        t,
        user: hash(seed, J.attr, i, day, k * 4 + 3) % c.users,
        pages: pages[k],
        sheets: duplex ? Math.ceil(pages[k] / 2) : pages[k],
        color,
        duplex,
        paperSize,
      });
    }
    return jobs;
  }
}

/** A print user's login name within a customer's domain. */
export function userName(fleet: Fleet, customer: number, user: number): string {
  const first = ['alex', 'sam', 'jordan', 'maria', 'li', 'noah', 'emma', 'omar', 'priya', 'tom', 'zoe', 'ivan'];
  const c = fleet.customer(customer);
  return `${first[user % first.length]}.${String.fromCharCode(97 + (Math.floor(user / first.length) % 26))}${user}@${c.domain}.example`;
}
