// Printix OAuth2 token store: client credentials and refresh grants, expiring access tokens on the world clock.

import { salt, seedToUint32, uuidFrom, hexFrom } from '../world/hash.ts';

export interface PrintixCredentials {
  partnerId: string;
  clientId: string;
  clientSecret: string;
}

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 86_400;

export function printixCredentials(seed: string | number): PrintixCredentials {
  const s = seedToUint32(seed);
  return {
    partnerId: uuidFrom(s, salt('printix-partner'), 0),
    clientId: uuidFrom(s, salt('printix-client'), 0),
    clientSecret: hexFrom(s, salt('printix-secret'), 40, 0),
  };
}

export type TokenResult =
  | { ok: true; body: { access_token: string; refresh_token: string; expires_in: number } }
  | { ok: false; status: 400 | 401; error: string; description: string };

export class TokenStore {
  private readonly seed: number;
  private readonly creds: PrintixCredentials;
  private readonly clock: () => number;
  private readonly ttlSeconds: number;
  private counter = 0;
  private readonly access = new Map<string, number>();
  private readonly refresh = new Map<string, number>();

  constructor(seed: string | number, creds: PrintixCredentials, clock: () => number, ttlSeconds: number) {
    this.seed = seedToUint32(seed);
    this.creds = creds;
    this.clock = clock;
    this.ttlSeconds = ttlSeconds;
  }

  private issue(): TokenResult {
    const n = this.counter++;
    const now = this.clock();
    const access_token = uuidFrom(this.seed, salt('printix-access'), n);
    const refresh_token = uuidFrom(this.seed, salt('printix-refresh'), n);
    this.access.set(access_token, now + this.ttlSeconds * 1000);
    this.refresh.set(refresh_token, now + REFRESH_TOKEN_TTL_SECONDS * 1000);
    return { ok: true, body: { access_token, refresh_token, expires_in: this.ttlSeconds } };
  }

  /** Handles a form-encoded `/oauth/token` request. `rejectAll` is the wrong-credential fault. */
  grant(form: URLSearchParams, rejectAll: boolean): TokenResult {
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id');
    const invalidClient: TokenResult = { ok: false, status: 401, error: 'invalid_client', description: 'client authentication failed' };
    if (grantType === 'client_credentials') {
      if (!clientId || !form.get('client_secret')) return { ok: false, status: 400, error: 'invalid_request', description: 'client_id and client_secret are required' };
      if (rejectAll || clientId !== this.creds.clientId || form.get('client_secret') !== this.creds.clientSecret) return invalidClient;
      return this.issue();
    }
    if (grantType === 'refresh_token') {
      const token = form.get('refresh_token');
      if (!clientId || !token) return { ok: false, status: 400, error: 'invalid_request', description: 'client_id and refresh_token are required' };
      if (rejectAll || clientId !== this.creds.clientId) return invalidClient;
      const expires = this.refresh.get(token);
      if (expires === undefined || expires <= this.clock()) return { ok: false, status: 400, error: 'invalid_grant', description: 'refresh token is unknown, used or expired' };
      // Refresh tokens rotate: each is good for one refresh.
      this.refresh.delete(token);
      return this.issue();
    }
    return { ok: false, status: 400, error: 'unsupported_grant_type', description: 'grant_type must be client_credentials or refresh_token' };
  }

  /** Whether a bearer access token is known and not yet expired. */
  valid(token: string): boolean {
    const expires = this.access.get(token);
    return expires !== undefined && this.clock() < expires;
  }
}
