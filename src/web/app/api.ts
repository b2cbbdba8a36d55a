// The dashboard's only way to the server: the same /v1 API as any client, with the session cookie.

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
  /** The request field an error names ("name must not be empty" → "name"), to show it beside that field. */
  fieldIn(fields: readonly string[]): string | null {
    const first = this.message.split(/\s/, 1)[0] ?? '';
    const field = first.replace(/\[\d+\].*$/, '').split('.')[0];
    return fields.includes(field) ? field : null;
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when the server says the session has ended (401). */
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  // X-Canopy-UI keeps the browser's Basic-auth dialog away on a 401; the CSRF token guards writes.
  const headers: Record<string, string> = { accept: 'application/json', 'x-canopy-ui': '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'Canopy cannot be reached: check your connection and try again');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const message = (parsed as { error?: string } | null)?.error ?? `request failed (${response.status})`;
    if (response.status === 401 && url.startsWith('/v1/')) onSignedOut?.();
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

/** /v1 paths for the account being viewed: its own scope, or /v1/accounts/:id for a descendant. */
export function scoped(accountId: string | null): (path: string) => string {
  return (path) => (accountId ? `/v1/accounts/${accountId}${path}` : `/v1${path}`);
}

export const get = <T>(url: string) => request<T>('GET', url);
export const post = <T>(url: string, body: unknown = {}) => request<T>('POST', url, body);
export const patch = <T>(url: string, body: unknown) => request<T>('PATCH', url, body);
export const del = <T>(url: string) => request<T>('DELETE', url);
export const put = <T>(url: string, body: unknown) => request<T>('PUT', url, body);
