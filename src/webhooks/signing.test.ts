// Signatures as the Standard Webhooks reference library computes and verifies them.
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newSigningSecret, signature, webhookHeaders } from './signing.ts';

describe('Standard Webhooks signing', () => {
  it('matches the reference library signature byte for byte', () => {
    const secret = newSigningSecret();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const body = JSON.stringify({ id: 'e1', type: 'deposit.created', data: { pages: 12 } });
    expect(signature(secret, 'msg_1', at.getTime() / 1000, body)).toBe(new Webhook(secret).sign('msg_1', at, body));
  });

  it('is verified by the library with any secret that signed it, and refused with another', () => {
    const [current, previous, stranger] = [newSigningSecret(), newSigningSecret(), newSigningSecret()];
    const body = '{"type":"certificate.issued"}';
    const headers = webhookHeaders([current, previous], 'evt-1', Math.floor(Date.now() / 1000), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual({ type: 'certificate.issued' });
    expect(new Webhook(previous).verify(body, headers)).toEqual({ type: 'certificate.issued' });
    expect(() => new Webhook(stranger).verify(body, headers)).toThrow();
  });

  it('makes secrets of 32 random bytes with the whsec_ prefix', () => {
    const secret = newSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newSigningSecret()).not.toBe(secret);
  });
});
