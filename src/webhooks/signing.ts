// Standard Webhooks signatures: whsec_ secrets, and v1 HMAC-SHA256 over "<id>.<timestamp>.<body>".
import crypto from 'node:crypto';

const PREFIX = 'whsec_';

/** A new signing secret as the specification writes it: whsec_ and 32 random bytes in base64. */
export function newSigningSecret(): string {
  return `${PREFIX}${crypto.randomBytes(32).toString('base64')}`;
}

function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
}

/** One `v1,<base64>` signature of a message. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac('sha256', secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of a delivery; every secret still valid signs (space-separated), so a rotation breaks no receiver. */
export function webhookHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, id, timestamp, body)).join(' '),
  };
}
