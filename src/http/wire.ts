// Formatting at the API edge: timestamps without milliseconds, UTC, and null kept as null.
import { formatTimestamp } from '../domain/calendar.ts';

export function isoTimestamp(value: Date | string): string;
export function isoTimestamp(value: Date | string | null | undefined): string | null;
export function isoTimestamp(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return formatTimestamp(value instanceof Date ? value : new Date(value));
}
