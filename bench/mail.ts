// Benchmark: 10,000 certificate emails (each with its PDF) from recorded events to a local SMTP server
// through Canopy's outbox (fan-out, claim, render, send, mark), beside raw nodemailer sends of the same
// messages in the same run (the baseline) and the PDF rendering alone.
// Run: npm run bench:mail   [-- --emails 10000 --connections 4]   (DATABASE_URL=postgres://... for PostgreSQL)
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config.ts';
import { renderCertificatePdf } from '../src/ledger/certificate-pdf.ts';
import { insertTransactionsWithCertificates } from '../src/ledger/transactions-service.ts';
import { fanOutEvents } from '../src/outbound/fan-out.ts';
import { createOutbound, mailQueue } from '../src/outbound/run-outbound.ts';
import { benchStore, channelWithCustomers } from './lib.ts';

const { values } = parseArgs({ options: { emails: { type: 'string', default: '10000' }, connections: { type: 'string', default: '4' } } });
const emails = Number(values.emails);
const connections = Number(values.connections);
const seconds = (t0: number) => (performance.now() - t0) / 1000;

// The SMTP server: accepts every message and counts it (no parsing: the same cost for Canopy and the baseline).
let received = 0;
let bytes = 0;
const smtp = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, size: 0,
  onData(stream, _session, callback) {
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      received += 1;
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}?maxConnections=${connections}`;

const store = await benchStore();
console.log(`store: ${store.db.kind}; ${emails} certificate emails; ${connections} SMTP connections`);
let t0 = performance.now();
const { customerIds } = await channelWithCustomers(store, emails);
await store.db.query(
  `INSERT INTO users (id, account_id, name, email, locale, created_at)
   SELECT gen_random_uuid(), id, NULL, 'user-' || n || '@bench.example', 'en', now() FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
  [customerIds],
);
const [project] = await store.db.query<{ id: string }>(`SELECT id FROM forestry_projects WHERE status = 'active' ORDER BY created_at LIMIT 1`);
// Direct transactions written as the ledger writes them: each records its certificate.issued event in its transaction.
for (let i = 0; i < customerIds.length; i += 500) {
  await store.db.transaction((tx) => insertTransactionsWithCertificates(tx, customerIds.slice(i, i + 500).map((accountId) => ({
    accountId, projectId: project.id, kind: 'direct' as const, period: null, date: new Date('2021-03-08T12:00:00Z'),
    pages: 16666, trees: '1.99992', createdAt: new Date('2021-03-08T12:00:00Z'),
  }))));
}
console.log(`setup: ${emails} customers with a user and a certificate (events recorded) in ${seconds(t0).toFixed(1)}s`);

const config = loadConfig({
  CANOPY_DATA_DIR: '/nonexistent', CANOPY_SECRET_KEY: crypto.randomBytes(32).toString('hex'), CANOPY_SMTP_URL: smtpUrl,
  CANOPY_PUBLIC_URL: 'https://canopy.example',
});

// 1. Canopy: fan-out (compose the emails in the store), then the sender (claim, render PDF, SMTP, mark sent).
t0 = performance.now();
const fanned = await fanOutEvents({ db: store.db, queue: mailQueue(config), co2GramsPerPage: 4.5, clock: () => new Date() });
const fanSeconds = seconds(t0);
console.log(`canopy fan-out: ${fanned.events} events -> emails composed in ${fanSeconds.toFixed(1)}s (${(fanned.events / fanSeconds).toFixed(0)}/s)`);
const outbound = createOutbound({ db: store.db, config, clock: () => new Date() });
t0 = performance.now();
let lastReport = performance.now();
const sent = await outbound.sendMail((n) => {
  if (performance.now() - lastReport < 2000) return;
  lastReport = performance.now();
  console.log(`  … ${n}/${emails} sent (${(n / seconds(t0)).toFixed(0)}/s)`);
});
const sendSeconds = seconds(t0);
outbound.close();
const [{ n: markedSent }] = await store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mail_messages WHERE status = 'sent'`);
console.log(`canopy send: ${sent.sent} sent (${markedSent} marked sent, ${received} received, ${(bytes / received / 1024).toFixed(0)} KiB each) in ${sendSeconds.toFixed(1)}s (${(sent.sent / sendSeconds).toFixed(0)}/s)`);
const canopyTotal = fanSeconds + sendSeconds;

// 2. The PDF rendering alone, on a sample (Canopy renders one per certificate).
const sample = Math.min(500, emails);
t0 = performance.now();
let pdf: Buffer = Buffer.alloc(0);
for (let i = 0; i < sample; i++) {
  pdf = await renderCertificatePdf({
    certificateId: crypto.randomUUID(), accountName: `Customer ${i}`, periodLabel: '8 March 2021', date: '2021-03-08T12:00:00Z',
    pages: 16666, trees: '1.99992', projectName: 'Bench Forest', issuedAt: '2021-03-08T12:00:00Z',
  });
}
const pdfMs = (seconds(t0) * 1000) / sample;
console.log(`pdf render alone: ${pdfMs.toFixed(1)} ms each (${sample} rendered) -> ${((pdfMs * emails) / 1000).toFixed(1)}s for ${emails} on one core`);

// 3. Baseline: raw nodemailer, the same pooled connections, the same message sizes (one PDF rendered once), no store.
const [message] = await store.db.query<{ subject: string; text_body: string; html_body: string }>(`SELECT subject, text_body, html_body FROM mail_messages LIMIT 1`);
const transport = nodemailer.createTransport(`${smtpUrl}&pool=true`);
received = 0;
t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: connections }, async () => {
  while (next < emails) {
    const i = next++;
    await transport.sendMail({
      from: 'Canopy <canopy@bench.example>', to: `user-${i}@bench.example`, subject: message.subject, text: message.text_body, html: message.html_body,
      attachments: [{ filename: 'certificate.pdf', content: pdf, contentType: 'application/pdf' }],
    });
  }
}));
const baselineSeconds = seconds(t0);
transport.close();
console.log(`baseline (raw nodemailer, same messages, no outbox): ${received} received in ${baselineSeconds.toFixed(1)}s (${(emails / baselineSeconds).toFixed(0)}/s)`);
console.log(
  `result: ${emails} certificate emails delivered through Canopy's outbox in ${canopyTotal.toFixed(1)}s (fan-out ${fanSeconds.toFixed(1)}s + send ${sendSeconds.toFixed(1)}s), ` +
  `${(canopyTotal / baselineSeconds).toFixed(2)}x the raw nodemailer baseline (${baselineSeconds.toFixed(1)}s); PDF rendering accounts for about ${((pdfMs * emails) / 1000).toFixed(1)}s of CPU`,
);
await store.close();
await new Promise<void>((resolve) => smtp.close(() => resolve()));
