// List paging: `limit` (≤ 1000) and `page`, with a Link header pointing at the next page when there is one.
import type { FastifyReply, FastifyRequest } from 'fastify';
import '../ledger/public-url.ts';

export interface PageRequest {
  limit: number;
  offset: number;
  page: number;
}

export function pageRequest(query: { limit?: number; page?: number }): PageRequest {
  const limit = query.limit ?? 1000;
  const page = query.page ?? 1;
  return { limit, page, offset: (page - 1) * limit };
}

/** SQL fragment asking for one row more than the page, to learn whether a next page exists. */
export function limitClause(p: PageRequest, firstParam: number): { sql: string; params: number[] } {
  return { sql: `LIMIT $${firstParam} OFFSET $${firstParam + 1}`, params: [p.limit + 1, p.offset] };
}

export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, p: PageRequest, rows: T[]): T[] {
  if (rows.length <= p.limit) return rows;
  // The configured or listening origin, never the Host header (see ledger/public-url.ts).
  const url = new URL(request.url, request.server.publicBaseUrl(request));
  url.searchParams.set('page', String(p.page + 1));
  url.searchParams.set('limit', String(p.limit));
  reply.header('link', `<${url.toString()}>; rel="next"`);
  return rows.slice(0, p.limit);
}
