// The installation key's uses on the outbound side: sealing webhook secrets and one-time links, signing unsubscribe links.
import crypto from 'node:crypto';
import type { Config } from '../config.ts';
import { loadSecretKey, secretBox, type SecretBox } from '../integrations/secrets.ts';

export interface OutboundKeys {
  secrets: SecretBox;
  /** HMAC key of unsubscribe links (derived, so the sealing key itself signs nothing a user holds). */
  unsubscribeKey: Buffer;
}

const cache = new WeakMap<Config, OutboundKeys>();

export function outboundKeys(config: Config): OutboundKeys {
  let keys = cache.get(config);
  if (!keys) {
    const key = loadSecretKey(config.collection.secretKey, config.dataDir);
    keys = { secrets: secretBox(key), unsubscribeKey: crypto.createHmac('sha256', key).update('canopy unsubscribe links').digest() };
    cache.set(config, keys);
  }
  return keys;
}
