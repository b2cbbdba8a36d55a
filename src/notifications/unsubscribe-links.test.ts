// Unsubscribe links name one user and one kind of email, and only this installation can make them.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readUnsubscribeToken, unsubscribeToken } from './unsubscribe-links.ts';
import { isAlertWorthy } from './health-alerts.ts';
import { certificateFigures } from './certificate-email.ts';
import { renderMail } from './templates.ts';

describe('unsubscribe links', () => {
  const key = crypto.randomBytes(32);
  const user = crypto.randomUUID();

  it('read back the user and category they were made for', () => {
    expect(readUnsubscribeToken(key, unsubscribeToken(key, user, 'health_alerts'))).toEqual({ userId: user, category: 'health_alerts' });
  });

  it('are refused when made with another key, altered, or naming an unknown category', () => {
    const token = unsubscribeToken(key, user, 'certificates');
    expect(readUnsubscribeToken(crypto.randomBytes(32), token)).toBeNull();
    const [payload, mac] = token.split('.');
    const other = Buffer.from(`${crypto.randomUUID()}.certificates`).toString('base64url');
    expect(readUnsubscribeToken(key, `${other}.${mac}`)).toBeNull();
    expect(readUnsubscribeToken(key, `${payload}.${mac.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`)).toBeNull();
    expect(readUnsubscribeToken(key, 'garbage')).toBeNull();
  });
});

describe('email content', () => {
  it('alerts on turning unhealthy or offline and on recovering from it, not on a first reading', () => {
    expect(isAlertWorthy('offline', 'healthy')).toBe(true);
    expect(isAlertWorthy('unhealthy', 'pending')).toBe(true);
    expect(isAlertWorthy('healthy', 'offline')).toBe(true);
    expect(isAlertWorthy('healthy', 'pending')).toBe(false);
    expect(isAlertWorthy('offline', 'offline')).toBe(false);
  });

  it('states paper mass and CO2-equivalent exactly, rounded only for display', () => {
    // 16,666 standard pages x 4.5241845 g = 75.400 kg = 166.229 lb; 4.5 g CO2e per page = 74.997 kg.
    expect(certificateFigures(16666, 4.5)).toEqual({ kg: '75.4', lb: '166.2', co2Kg: '75.0' });
  });

  it('escapes what it is given in the HTML part', () => {
    const { html, text } = renderMail({ heading: 'Dealer <script>', paragraphs: ['a & b'], signature: 'Canopy' });
    expect(html).toContain('Dealer &lt;script&gt;');
    expect(html).toContain('a &amp; b');
    expect(text).toContain('Dealer <script>');
  });
});
