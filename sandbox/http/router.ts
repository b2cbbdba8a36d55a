// A minimal router for the simulators: path templates (`/v1/entity/:id`), request context and replies.

import type { IncomingHttpHeaders } from 'node:http';
import type { FaultSettings } from '../faults.ts';

export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  /** Base URL this server answers on (`http://127.0.0.1:4030`), for absolute links. */
  baseUrl: string;
  faults: FaultSettings;
  body(): Promise<string>;
}

export interface Reply {
  status: number;
  /** Serialised as JSON unless `text` is given. */
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  /** Template shown in stats, e.g. `/v1/entity/:id/meter`. */
  template: string;
  handler: Handler;
  regex: RegExp;
  keys: string[];
}

export function route(method: string, template: string, handler: Handler): Route {
  const keys: string[] = [];
  const source = template
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { method, template, handler, regex: new RegExp(`^${source}/?$`), keys };
}

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/** Finds the route for a method and path; `allowed` lists methods of a path that matched with another method. */
export function match(routes: readonly Route[], method: string, path: string): { found?: Match; allowed: string[] } {
  const allowed: string[] = [];
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    if (r.method !== method) {
      allowed.push(r.method);
      continue;
    }
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => {
      try {
        params[k] = decodeURIComponent(m[i + 1]);
      } catch {
        params[k] = m[i + 1];
      }
    });
    return { found: { route: r, params }, allowed };
  }
  return { allowed };
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers ? { headers } : {}) };
}
