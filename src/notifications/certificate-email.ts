// "Your Certificate of Reforestation": one email per user of the certificate's account who has not opted out.
import type { Queryable } from '../db/database.ts';
import { divide, multiply, toFixed } from '../domain/decimal.ts';
import { STANDARD_PAGE_GRAMS } from '../domain/paper.ts';
import { certificatePeriodLabel } from '../ledger/certificate-pages.ts';
import { formatCertificatePages, formatCertificateTrees } from '../ledger/certificate-pdf.ts';
import { certificateLinks } from '../ledger/views.ts';
import type { StoredEvent } from '../webhooks/payload.ts';
import { brandingFor, signatureLine } from './branding.ts';
import { recipientsOf } from './preferences.ts';
import { queueMails, type MailQueue, type NewMail } from './queue-mail.ts';
import { renderMail } from './templates.ts';
import { unsubscribeUrl } from './unsubscribe-links.ts';

const POUNDS_PER_KG = '2.20462262185';

/** Paper mass and CO2-equivalent of standard pages, exact until rounded to one decimal here. */
export function certificateFigures(pages: number, co2GramsPerPage: number): { kg: string; lb: string; co2Kg: string } {
  const kg = divide(multiply(pages, STANDARD_PAGE_GRAMS), 1000, 9);
  return {
    kg: toFixed(kg, 1),
    lb: toFixed(multiply(kg, POUNDS_PER_KG), 1),
    co2Kg: toFixed(divide(multiply(pages, String(co2GramsPerPage)), 1000, 9), 1),
  };
}

interface CertificateData {
  id: string;
  account_id: string;
  pages: number;
  trees: string | number;
  date: string;
  kind: 'direct' | 'month_close';
  period: string | null;
  project: { name: string } | null;
}

/** One email per recipient per certificate.issued event, composed set-based (month close issues thousands at once). */
export async function queueCertificateEmails(tx: Queryable, queue: MailQueue, events: StoredEvent[], co2GramsPerPage: number, now: Date): Promise<number> {
  if (events.length === 0) return 0;
  const accounts = [...new Set(events.map((e) => (e.data as unknown as CertificateData).account_id))];
  const users = Map.groupBy(await recipientsOf(tx, accounts, 'certificates'), (u) => u.account_id);
  const brandings = await brandingFor(tx, accounts);
  const mails: NewMail[] = [];
  for (const event of events) {
    const c = event.data as unknown as CertificateData;
    const branding = brandings.get(c.account_id) ?? null;
    const label = certificatePeriodLabel({ kind: c.kind, period: c.period, date: new Date(c.date) });
    const links = certificateLinks(queue.baseUrl, c.id);
    const figures = certificateFigures(c.pages, co2GramsPerPage);
    for (const user of users.get(c.account_id) ?? []) {
      const body = renderMail({
        heading: `Certificate of Reforestation · ${label}`,
        paragraphs: [
          `The paper your organisation printed in ${label} is offset by trees planted${c.project ? ` with ${c.project.name}` : ''}.`,
          'Your certificate is attached as a PDF, and can be shared from the link below.',
        ],
        facts: [
          ['Period', label],
          ['Pages (standard)', formatCertificatePages(c.pages)],
          ['Trees', formatCertificateTrees(String(c.trees))],
          ['Paper', `${figures.kg} kg (${figures.lb} lb)`],
          ['CO2-equivalent', `${figures.co2Kg} kg`],
          ...(c.project ? [['Project', c.project.name] as [string, string]] : []),
        ],
        action: { label: 'View the certificate', url: links.url },
        signature: signatureLine(branding),
        unsubscribeUrl: unsubscribeUrl(queue.baseUrl, queue.unsubscribeKey, user.id, 'certificates'),
      });
      mails.push({
        causeKey: `certificate:${event.id}:${user.id}`, kind: 'certificate', accountId: c.account_id, userId: user.id, to: user.email,
        subject: `Your Certificate of Reforestation for ${label}`, ...body, senderName: branding?.sender_name ?? null, certificateId: c.id, now,
      });
    }
  }
  return queueMails(tx, queue, mails);
}
