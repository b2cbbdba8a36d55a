// Small fetch helpers for the sandbox's own tests (plain HTTP, nothing from Canopy).

export interface Got<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/** Reads a response: JSON when it parses, else the text; an empty body is undefined. */
async function got<T>(res: Response): Promise<Got<T>> {
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, text, body: body as T };
}

export async function get<T = unknown>(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Got<T>> {
  return got<T>(await fetch(url, { headers, ...(signal ? { signal } : {}) }));
}

export async function send<T = unknown>(method: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<Got<T>> {
  const isForm = body instanceof URLSearchParams;
  const res = await fetch(url, {
    method,
    headers: { 'content-type': isForm ? 'application/x-www-form-urlencoded' : 'application/json', ...headers },
    body: isForm ? body.toString() : body === undefined ? undefined : JSON.stringify(body),
  });
  return got<T>(res);
}
