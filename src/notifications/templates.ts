// The one layout of Canopy's emails: plain text and simple, phone-readable HTML from the same parts.

export interface MailParts {
  heading: string;
  /** Paragraphs, in order. */
  paragraphs: string[];
  /** Label and value rows (a certificate's figures). */
  facts?: Array<[string, string]>;
  /** Lists under a title (the feeds that went offline). */
  lists?: Array<{ title: string; items: string[] }>;
  action?: { label: string; url: string };
  /** Who sends it: Canopy, or a dealer's name beside Canopy's. */
  signature: string;
  /** Why the reader gets it and how to stop it. */
  unsubscribeUrl?: string | null;
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export function renderMail(parts: MailParts): { text: string; html: string } {
  const text: string[] = [parts.heading, '', ...parts.paragraphs.flatMap((p) => [p, ''])];
  for (const [label, value] of parts.facts ?? []) text.push(`${label}: ${value}`);
  if (parts.facts?.length) text.push('');
  for (const list of parts.lists ?? []) text.push(list.title, ...list.items.map((i) => `- ${i}`), '');
  if (parts.action) text.push(`${parts.action.label}: ${parts.action.url}`, '');
  text.push(`-- `, parts.signature);
  if (parts.unsubscribeUrl) text.push(`Stop these emails: ${parts.unsubscribeUrl}`);

  const html = [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="margin:0;padding:16px;font-family:Helvetica,Arial,sans-serif;color:#222;line-height:1.5;background:#f6f7f5">',
    '<div style="max-width:560px;margin:0 auto;background:#fff;padding:20px;border-radius:6px">',
    `<h1 style="font-size:20px;color:#1f5f3a;margin:0 0 12px">${escape(parts.heading)}</h1>`,
    ...parts.paragraphs.map((p) => `<p>${escape(p)}</p>`),
    parts.facts?.length
      ? `<table style="border-collapse:collapse;width:100%">${parts.facts.map(([l, v]) => `<tr><td style="padding:4px 8px 4px 0;color:#6b6b6b">${escape(l)}</td><td style="padding:4px 0"><strong>${escape(v)}</strong></td></tr>`).join('')}</table>`
      : '',
    ...(parts.lists ?? []).map((l) => `<p><strong>${escape(l.title)}</strong></p><ul>${l.items.map((i) => `<li>${escape(i)}</li>`).join('')}</ul>`),
    parts.action
      ? `<p><a href="${escape(parts.action.url)}" style="display:inline-block;background:#1f5f3a;color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none">${escape(parts.action.label)}</a></p>`
      : '',
    `<p style="color:#6b6b6b;font-size:13px">${escape(parts.signature)}</p>`,
    parts.unsubscribeUrl ? `<p style="color:#6b6b6b;font-size:12px"><a href="${escape(parts.unsubscribeUrl)}" style="color:#6b6b6b">Stop these emails</a></p>` : '',
    '</div></body></html>',
  ].join('');
  return { text: text.join('\n'), html };
}
