// Print Tracker API 1.0 (base /v1, x-api-key): the dealer's entity tree, meter reads by date range, prior reads.
import type { Connector, ConnectorOptions, CounterReadingAt, CounterSource, ServerAccess, UpstreamEntity } from '../types.ts';
import { UpstreamClient, UpstreamError, parseJson, type UpstreamResponse } from '../http/upstream-client.ts';
import { boundSentence } from '../http/answer-bounds.ts';
import { formatPrintTrackerTime } from './dates.ts';
import { MeterReadSet, normalizeMeterRead } from './meter-reads.ts';

export const PRINTTRACKER_DEFAULT_URL = 'https://papi.printtrackerpro.com';

const DAY_MS = 86_400_000;
/** A prior read with an unreadable counter: step back this many times before giving up on a baseline. */
const PRIOR_READ_STEPS = 8;
const DEVICE_PAGE = 1000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface EntityNode {
  id: string;
  name: string;
  parent: string | null;
}

/** Entities one tree may hold (a dealer's customers and their sites): past it the tree is refused, naming the bound. */
export const MAX_TREE_ENTITIES = 100_000;
/** Meter reads one /meter answer may hold; a range that holds more is asked again in halves. */
export const MAX_READS_PER_REQUEST = 50_000;
/** The shortest range a /meter request is halved to when its answer is too large. */
const MIN_RANGE_MS = 3_600_000;

/**
 * Children as the entity lists them: flat (every level) or nested; parents are known only when nested.
 * Walked with a stack of its own, not recursion, so no nesting overflows the call stack.
 */
export function flattenChildren(children: unknown, parent: string | null, maxEntities = MAX_TREE_ENTITIES): EntityNode[] {
  const out: EntityNode[] = [];
  const stack: Array<{ list: unknown[]; index: number; parent: string | null }> = [];
  if (Array.isArray(children)) stack.push({ list: children, index: 0, parent });
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.index >= top.list.length) {
      stack.pop();
      continue;
    }
    const child = top.list[top.index++];
    if (!isObject(child) || typeof child.id !== 'string') continue;
    if (out.length >= maxEntities) {
      throw new UpstreamError('upstream_error', `entity ${parent}: ${boundSentence('entities', maxEntities)}`, null, 'entities');
    }
    out.push({ id: child.id, name: typeof child.name === 'string' ? child.name : child.id, parent: top.parent });
    if (Array.isArray(child.children)) stack.push({ list: child.children, index: 0, parent: child.id });
  }
  return out;
}

/** An answer that should be a list: an array, or an object wrapping one. */
function listOf(body: unknown): unknown[] | null {
  if (Array.isArray(body)) return body;
  if (isObject(body)) for (const key of ['data', 'items', 'results', 'reads', 'meters']) if (Array.isArray(body[key])) return body[key] as unknown[];
  return null;
}

export function printTrackerConnector(access: ServerAccess, options: ConnectorOptions): Connector {
  const http = new UpstreamClient(access.url || PRINTTRACKER_DEFAULT_URL, options);
  const dealerId = access.username ?? '';
  const headers = { 'x-api-key': access.password };

  const get = async (path: string, query: Record<string, string> = {}): Promise<UpstreamResponse> => {
    const qs = new URLSearchParams(query).toString();
    const response = await http.request('GET', `/v1${path}${qs ? `?${qs}` : ''}`, { headers });
    if (response.status === 401 || response.status === 403) {
      throw new UpstreamError('wrong_credentials', `Print Tracker refused the API key (${response.status})`, response.status);
    }
    return response;
  };

  const entity = async (id: string): Promise<Json | null> => {
    const response = await get(`/entity/${encodeURIComponent(id)}`, { includeChildren: 'true' });
    if (response.status === 404) return null;
    if (response.status !== 200) throw new UpstreamError('upstream_error', `GET entity ${id} answered ${response.status}`, response.status);
    const body = parseJson<unknown>(response, `entity ${id}`);
    if (!isObject(body)) throw new UpstreamError('upstream_error', `entity ${id}: not an entity object`);
    return body;
  };

  /**
   * /meter for one entity over a range, halving the range when the server finds it too long or its answer
   * meets a bound (bytes, values, reads), down to an hour; an hour still too large fails, naming the bound.
   */
  const meterRange = async (entityId: string, from: number, to: number, managedOnly: boolean, into: MeterReadSet): Promise<void> => {
    const halves = async () => {
      const middle = from + Math.floor((to - from) / 2);
      await meterRange(entityId, from, middle, managedOnly, into);
      await meterRange(entityId, middle, to, managedOnly, into);
    };
    let response: UpstreamResponse;
    try {
      response = await get(`/entity/${encodeURIComponent(entityId)}/meter`, {
        start: formatPrintTrackerTime(from),
        end: formatPrintTrackerTime(to),
        excludeDisabled: managedOnly ? 'true' : 'false',
      });
    } catch (error) {
      if (error instanceof UpstreamError && error.bound !== null && error.bound !== 'depth' && to - from > MIN_RANGE_MS) return halves();
      throw error;
    }
    if (response.status === 400 && to - from > DAY_MS) return halves();
    if (response.status === 404) throw new UpstreamError('upstream_error', `entity ${entityId} is not on this Print Tracker server (404)`, 404);
    if (response.status !== 200) throw new UpstreamError('upstream_error', `GET meter of ${entityId} answered ${response.status}`, response.status);
    const list = listOf(parseJson<unknown>(response, `meter reads of ${entityId}`));
    if (list === null) throw new UpstreamError('upstream_error', `meter reads of ${entityId}: not a list`);
    if (list.length > MAX_READS_PER_REQUEST) {
      if (to - from > MIN_RANGE_MS) return halves();
      throw new UpstreamError('upstream_error', `meter reads of ${entityId} from ${formatPrintTrackerTime(from)} to ${formatPrintTrackerTime(to)}: ${boundSentence('readings', MAX_READS_PER_REQUEST)}`, 200, 'readings');
    }
    into.add(list);
  };

  const source: CounterSource = {
    kind: 'counters',

    async entityTree(entityId) {
      const body = await entity(entityId);
      if (body === null) throw new UpstreamError('upstream_error', `entity ${entityId} is not on this Print Tracker server (404)`, 404);
      const ids = [entityId, ...flattenChildren(body.children, entityId).map((c) => c.id)];
      return [...new Set(ids)];
    },

    async meterReads(entityIds, from, to, managedOnly, into) {
      const span = Math.max(1, options.requestRangeDays) * DAY_MS;
      const ranges: Array<[number, number]> = [];
      for (let start = from; start <= to; start += span) ranges.push([start, Math.min(to, start + span)]);
      await Promise.all(entityIds.flatMap((id) => ranges.map(([a, b]) => meterRange(id, a, b, managedOnly, into))));
    },

    async priorReading(entityId, deviceId, before): Promise<CounterReadingAt | null> {
      let date = before - 1;
      for (let step = 0; step < PRIOR_READ_STEPS; step++) {
        const response = await get(`/entity/${encodeURIComponent(entityId)}/device/${encodeURIComponent(deviceId)}/meter/mostRecentPriorTo`, {
          date: formatPrintTrackerTime(date),
        });
        // One read, an array of one, an empty array, an empty body or a 404 all occur: none means no earlier read.
        if (response.status === 404 || response.status === 204 || response.body.trim() === '') return null;
        if (response.status !== 200) throw new UpstreamError('upstream_error', `mostRecentPriorTo of ${deviceId} answered ${response.status}`, response.status);
        const body = parseJson<unknown>(response, `prior read of ${deviceId}`);
        const raw = Array.isArray(body) ? body[body.length - 1] : isObject(body) && Object.keys(body).length > 0 ? body : null;
        if (raw === undefined || raw === null) return null;
        const read = normalizeMeterRead(raw);
        if (read === null || read.at >= before) return null;
        if (read.count !== null) return { at: read.at, count: read.count };
        date = read.at - 1; // unreadable: the one before it is the baseline
      }
      return null;
    },

    async managedFlags(entityId) {
      const flags = new Map<string, boolean>();
      for (let page = 1; page <= 100; page++) {
        const response = await get(`/entity/${encodeURIComponent(entityId)}/device`, {
          includeChildren: 'true', limit: String(DEVICE_PAGE), page: String(page),
        });
        if (response.status !== 200) break;
        const list = listOf(parseJson<unknown>(response, `devices of ${entityId}`)) ?? [];
        for (const device of list) {
          if (isObject(device) && typeof device.id === 'string' && typeof device.managed === 'boolean') flags.set(device.id, device.managed);
        }
        if (list.length < DEVICE_PAGE) break;
      }
      return flags;
    },
  };

  return {
    type: 'printtracker',
    source,
    stats: http.stats,
    async check() {
      if (!/^[0-9a-f]{24}$/i.test(dealerId)) {
        throw new UpstreamError('wrong_credentials', 'username must be the dealer parent entity ID (24 hexadecimal characters)');
      }
      const body = await entity(dealerId);
      if (body === null) throw new UpstreamError('wrong_credentials', `the dealer entity ${dealerId} is not visible with this API key`);
    },
    async entities(): Promise<UpstreamEntity[]> {
      const body = await entity(dealerId);
      if (body === null) throw new UpstreamError('wrong_credentials', `the dealer entity ${dealerId} is not visible with this API key`);
      return flattenChildren(body.children, dealerId).map((c) => ({
        id: c.id, name: c.name, kind: 'entity' as const, parent_id: c.parent === dealerId ? null : c.parent,
      }));
    },
    close: () => http.close(),
  };
}
