// Server passwords at rest: AES-256-GCM under the installation's key, each ciphertext bound to its server id.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseSecretKey } from '../collection/settings.ts';

const VERSION = 'v1';

export interface SecretBox {
  seal(plain: string, boundTo: string): string;
  /** Throws SecretUnreadable when the key is not the one that sealed it, or the text was altered. */
  open(sealed: string, boundTo: string): string;
}

export class SecretUnreadable extends Error {}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('secret key must be 32 bytes');
  return {
    seal(plain, boundTo) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    open(sealed, boundTo) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== VERSION || !iv || !tag || body === undefined) throw new SecretUnreadable('stored credentials are not in a known format');
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAAD(Buffer.from(boundTo, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretUnreadable('stored credentials cannot be decrypted: CANOPY_SECRET_KEY (or the key file) is not the one they were saved with');
      }
    },
  };
}

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The installation's key: CANOPY_SECRET_KEY, else `<data dir>/secret.key`, generated (mode 0600) on first use.
 * Several hosts on one PostgreSQL must share CANOPY_SECRET_KEY.
 */
export function loadSecretKey(configured: Buffer | null, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, SECRET_KEY_FILE);
  try {
    return parseSecretKey(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  try {
    fs.writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseSecretKey(fs.readFileSync(file, 'utf8'), file);
    throw error;
  }
}
