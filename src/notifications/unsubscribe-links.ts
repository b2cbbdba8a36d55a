// One-click unsubscribe links: the user and the category, signed with a key derived from the installation key.
import crypto from 'node:crypto';
import { MAIL_CATEGORIES, type MailCategory } from './preferences.ts';

const mac = (key: Buffer, payload: string) => crypto.createHmac('sha256', key).update(payload).digest('base64url').slice(0, 32);

export function unsubscribeToken(key: Buffer, userId: string, category: MailCategory): string {
  const payload = `${userId}.${category}`;
  return `${Buffer.from(payload).toString('base64url')}.${mac(key, payload)}`;
}

/** The user and category a token names, or null when it was not made by this installation. */
export function readUnsubscribeToken(key: Buffer, token: string): { userId: string; category: MailCategory } | null {
  const [encoded, signature] = token.split('.');
  if (!encoded || !signature) return null;
  const payload = Buffer.from(encoded, 'base64url').toString('utf8');
  const expected = mac(key, payload);
  if (signature.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return null;
  const [userId, category] = payload.split('.');
  if (!userId || !(MAIL_CATEGORIES as readonly string[]).includes(category)) return null;
  return { userId, category: category as MailCategory };
}

export function unsubscribeUrl(baseUrl: string, key: Buffer, userId: string, category: MailCategory): string {
  return `${baseUrl}/unsubscribe?token=${unsubscribeToken(key, userId, category)}`;
}
