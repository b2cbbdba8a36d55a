// Small fetch helpers for the sandbox's own tests (plain HTTP, nothing from Canopy).

export interface Got<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export async function get<T = unknown>(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Got<T>> {
  const res = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

export async function send<T = unknown>(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Got<T>> {
  const isForm = body instanceof URLSearchParams;
  const res = await fetch(url, {
    method,
    headers: { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: isForm ? body.toString() : body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, text, body: parsed as T };
}
