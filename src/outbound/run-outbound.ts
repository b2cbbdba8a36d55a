// The outbound job: fan events out, compose due health alerts, deliver due webhooks, send due emails.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { dashboardBaseUrl } from '../cli/users.ts';
import { composeHealthAlerts } from '../notifications/health-alerts.ts';
import { smtpTransport, type MailTransport } from '../notifications/mailer.ts';
import type { MailQueue } from '../notifications/queue-mail.ts';
import { sendDueMail, type MailSendDeps } from '../notifications/send-mail.ts';
import { deliverDueWebhooks } from '../webhooks/deliver.ts';
import { fanOutEvents } from './fan-out.ts';
import { outboundKeys } from './keys.ts';

export interface OutboundDeps {
  db: Database;
  config: Config;
  clock: () => Date;
  log?: (line: string) => void;
  /** Tests: an SMTP transport of their own (else CANOPY_SMTP_URL's), and a fixed jitter. */
  transport?: MailTransport | null;
  random?: () => number;
  afterSend?: MailSendDeps['afterSend'];
}

export interface OutboundSummary {
  events: number;
  alerts: number;
  webhooks: { attempts: number; succeeded: number; failed: number };
  mail: { sent: number; retried: number; failed: number };
}

/** How new emails are stored; links point at `baseUrl` (a request's public origin), else CANOPY_PUBLIC_URL or the configured port. */
export function mailQueue(config: Config, baseUrl = dashboardBaseUrl(config)): MailQueue {
  const keys = outboundKeys(config);
  return { smtp: config.outbound.smtpUrl !== null, secrets: keys.secrets, baseUrl, unsubscribeKey: keys.unsubscribeKey };
}

export interface Outbound {
  /** One pass over everything due; safe to run in several processes at once (rows are claimed). */
  run(log?: (line: string) => void): Promise<OutboundSummary>;
  /** Sends only the emails due (CLI: `canopy outbox send`), with progress. */
  sendMail(onProgress?: (sent: number) => void): Promise<OutboundSummary['mail']>;
  close(): void;
}

export function createOutbound(deps: OutboundDeps): Outbound {
  const { db, config, clock } = deps;
  const log = deps.log ?? (() => {});
  const random = deps.random ?? Math.random;
  const queue = mailQueue(config);
  const keys = outboundKeys(config);
  let transport: MailTransport | null | undefined = deps.transport;
  const mailTransport = () => {
    if (transport === undefined) transport = config.outbound.smtpUrl ? smtpTransport(config.outbound.smtpUrl) : null;
    return transport;
  };
  const sendMail = async (onProgress?: (sent: number) => void) => {
    const smtp = mailTransport();
    if (!smtp) return { sent: 0, retried: 0, failed: 0 };
    return sendDueMail({
      db, transport: smtp, secrets: keys.secrets, clock, random, from: config.outbound.mailFrom, attempts: config.outbound.mailAttempts,
      retryBaseSeconds: config.outbound.mailRetryBaseSeconds, baseUrl: queue.baseUrl, unsubscribeKey: keys.unsubscribeKey,
      afterSend: deps.afterSend,
    }, onProgress);
  };
  return {
    async run(runLog = log) {
      const fanned = await fanOutEvents({ db, queue, co2GramsPerPage: config.co2GramsPerPage, clock });
      const alerts = await composeHealthAlerts(db, queue, clock());
      const webhooks = await deliverDueWebhooks({
        db, secrets: keys.secrets, clock, random, allowPrivate: config.collection.allowPrivateUpstreams,
        timeoutMs: config.outbound.webhookTimeoutMs, baseUrl: queue.baseUrl, queueMail: queue, log: runLog,
      });
      const mail = await sendMail();
      const summary = { events: fanned.events, alerts, webhooks, mail };
      if (fanned.events + alerts + webhooks.attempts + mail.sent + mail.retried + mail.failed > 0) {
        runLog(`outbound: ${fanned.events} event(s), ${alerts} alert(s), ${webhooks.attempts} webhook attempt(s) (${webhooks.failed} failed), ${mail.sent} email(s) sent, ${mail.retried} to retry, ${mail.failed} given up`);
      }
      return summary;
    },
    sendMail,
    close: () => transport?.close(),
  };
}
