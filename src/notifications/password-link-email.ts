// Emails a one-time set-password link: an invitation (canopy users invite, the Users page) or a reset (forgot password).
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { mailQueue } from '../outbound/run-outbound.ts';
import { LINK_LIFETIME_HOURS, passwordLinkPath, type PasswordLink } from '../sessions/password-links.ts';
import { queueMail, type MailQueue } from './queue-mail.ts';
import { renderMail } from './templates.ts';

export async function queuePasswordLinkEmail(
  db: Database,
  queue: MailQueue,
  link: PasswordLink & { accountId: string; accountName: string },
  kind: 'invitation' | 'password_reset',
  now: Date,
): Promise<void> {
  const url = `${queue.baseUrl}${passwordLinkPath(link.token)}`;
  const invitation = kind === 'invitation';
  const body = renderMail({
    heading: invitation ? `You are invited to ${link.accountName} on Canopy` : 'Reset your Canopy password',
    paragraphs: [
      invitation
        ? `Choose a password to sign in to the Canopy dashboard of ${link.accountName} as ${link.email}.`
        : `Someone (hopefully you) asked to reset the password of ${link.email} for ${link.accountName}. If it was not you, ignore this email: nothing changes.`,
      `The link works once, for ${LINK_LIFETIME_HOURS} hours.`,
    ],
    action: { label: invitation ? 'Choose a password' : 'Reset the password', url },
    signature: 'Canopy',
  });
  // The link is the secret this email exists to carry: sealed at rest, never shown in the outbox.
  await queueMail(db, queue, {
    causeKey: `${kind}:${link.token.slice(0, 12)}:${link.userId}:${now.getTime()}`, kind, accountId: link.accountId, userId: link.userId,
    to: link.email, subject: invitation ? `Invitation to ${link.accountName} on Canopy` : 'Reset your Canopy password', ...body, sealed: true, now,
  });
}

/** With SMTP configured, also emails an invitation link (it is still shown once); returns whether it was queued. */
export async function emailInvitationIfSmtp(
  db: Database,
  config: Config,
  link: PasswordLink,
  account: { id: string; name: string },
  now: Date,
  baseUrl?: string,
): Promise<boolean> {
  if (config.outbound.smtpUrl === null) return false;
  await queuePasswordLinkEmail(db, mailQueue(config, baseUrl), { ...link, accountId: account.id, accountName: account.name }, 'invitation', now);
  return true;
}
