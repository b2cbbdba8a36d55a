// Password hashing with scrypt (parameters stored with each hash) and the rules a new password must meet.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { InvalidInput } from '../domain/errors.ts';

const scrypt = promisify(crypto.scrypt) as (password: string, salt: Buffer, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

// N = 2^15, r = 8 (32 MiB, ~100 ms here): OWASP's scrypt floor is N = 2^17 with r = 8 for high-value
// secrets; a dashboard sign-in on a 2-core box takes the cheaper end, and the format lets it be raised.
const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

/** Refuses a password too short or too long to be a sensible secret, naming the field and the rule. */
export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new InvalidInput('password', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new InvalidInput('password', `must be at most ${MAX_PASSWORD_LENGTH} characters`);
}

function options(N: number, r: number, p: number): crypto.ScryptOptions {
  return { N, r, p, maxmem: 256 * N * r };
}

/** scrypt with the default parameters; `salt` (base64) is the email's shared salt when given, else a fresh one. */
export async function hashPassword(password: string, salt?: string): Promise<string> {
  const params = DEFAULT_PARAMS;
  const saltBytes = salt === undefined ? crypto.randomBytes(16) : Buffer.from(salt, 'base64');
  const hash = await scrypt(password.normalize('NFKC'), saltBytes, KEY_LENGTH, options(params.N, params.r, params.p));
  return ['scrypt', params.N, params.r, params.p, saltBytes.toString('base64'), hash.toString('base64')].join('$');
}

/** A fresh salt, base64, for an email's first password. */
export function newSalt(): string {
  return crypto.randomBytes(16).toString('base64');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  return (await matchingHashes(password, [stored]))[0];
}

/**
 * Which of `stored` the password matches. Hashes with the same parameters and salt (the users of one
 * email) are checked with one scrypt computation, so the cost grows with distinct salts, not with rows.
 */
export async function matchingHashes(password: string, stored: readonly string[]): Promise<boolean[]> {
  const computed = new Map<string, Promise<Buffer | null>>();
  return Promise.all(stored.map(async (hash) => {
    const [scheme, n, r, p, saltText, hashText] = hash.split('$');
    if (scheme !== 'scrypt' || !hashText) return false;
    const expected = Buffer.from(hashText, 'base64');
    const group = `${n}$${r}$${p}$${saltText}$${expected.length}`;
    let actual = computed.get(group);
    if (!actual) {
      actual = scrypt(password.normalize('NFKC'), Buffer.from(saltText, 'base64'), expected.length, options(Number(n), Number(r), Number(p)))
        .catch(() => null);
      computed.set(group, actual);
    }
    const bytes = await actual;
    return bytes !== null && bytes.length === expected.length && crypto.timingSafeEqual(bytes, expected);
  }));
}

/** A hash of a random password: verified against when the email is unknown, so timing does not tell. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  return decoy;
}
