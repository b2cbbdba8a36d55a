// How figures and times read on the dashboard.

const integer = new Intl.NumberFormat('en-US');

export function pages(n: number): string {
  return integer.format(n);
}

export function trees(n: number, digits = 2): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Kilograms of CO2-equivalent for standard pages at the given grams per page. */
export function co2Kg(standardPages: number, gramsPerPage: number): string {
  const kg = (standardPages * gramsPerPage) / 1000;
  return kg.toLocaleString('en-US', { maximumFractionDigits: kg < 10 ? 2 : 0 });
}

export function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : '—';
}

export function dateTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—';
}

/** "3 hours ago" style, for health changes. */
export function ago(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'just now';
  const units: Array<[number, string]> = [[86_400, 'day'], [3_600, 'hour'], [60, 'minute']];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

export function monthLabel(iso: string): string {
  const [y, m] = iso.slice(0, 7).split('-');
  return `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1]} ${y}`;
}

/** "15.7358° S, 46.3588° E" */
export function coordinates(lat: number, lon: number): string {
  const part = (v: number, pos: string, neg: string) => `${Math.abs(v).toFixed(4)}° ${v < 0 ? neg : pos}`;
  return `${part(lat, 'N', 'S')}, ${part(lon, 'E', 'W')}`;
}
