// Error replies in the shape a variant asks for: the API's documented JSON, `{"message"}`, plain text or an HTML page.

import { STATUS_CODES } from 'node:http';
import type { ErrorBodyStyle } from '../variants.ts';
import { json, type Reply } from './router.ts';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An error reply; `documented` is the body the API's own JSON style gives. */
export function errorReply(style: ErrorBodyStyle, status: number, documented: unknown, message: string, headers: Record<string, string> = {}): Reply {
  switch (style) {
    case 'json':
      return json(status, documented, headers);
    case 'message':
      return json(status, { message }, headers);
    case 'text':
      return { status, text: message, headers };
    case 'html': {
      // What a reverse proxy or IIS answers in front of the API.
      const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
      const page = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(message)}</p></body></html>\n`;
      return { status, text: page, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } };
    }
  }
}
