// Renders a Certificate of Reforestation as a one-page landscape PDF (pdfkit, built-in fonts only).
import PDFDocument from 'pdfkit';
import { toFixed, type DecimalInput } from '../domain/decimal.ts';

export interface CertificatePdfInput {
  certificateId: string;
  accountName: string;
  /** What the certificate covers, e.g. "February 2021", or a date for a direct transaction. */
  periodLabel: string;
  /** The certificate's date (a month close uses the month's last second). */
  date: Date | string;
  /** Standard pages. */
  pages: number | bigint;
  /** Exact trees; printed with three decimals. */
  trees: DecimalInput;
  projectName: string;
  projectLocation?: string | null;
  issuedAt: Date | string;
  /** A dealer's sender name (email branding): printed beside Canopy's. */
  issuedBy?: string | null;
}

export interface CertificatePdfOptions {
  /** Deflate the content streams (default true); tests turn it off to read the text. */
  compress?: boolean;
}

const GREEN = '#1f5f3a';
const LEAF = '#4c9a5f';
const INK = '#222222';
const MUTED = '#6b6b6b';
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function asDate(value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date;
}

/** "28 February 2021" (UTC). */
function longDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** Thousands separators on the integer part of decimal text: "2469134.000" → "2,469,134.000". */
function grouped(text: string): string {
  const [whole, fraction] = text.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return sign + digits + (fraction === undefined ? '' : `.${fraction}`);
}

// The standard PDF fonts only cover WinAnsi (Latin-1 plus a few): anything else prints as '?'
// rather than as the wrong glyph.
function printable(text: string): string {
  return [...text]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 63;
      return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || '–—‘’“”•…€'.includes(ch) ? ch : '?';
    })
    .join('');
}

export function formatCertificatePages(pages: number | bigint): string {
  return grouped(BigInt(pages).toString());
}

export function formatCertificateTrees(trees: DecimalInput): string {
  return grouped(toFixed(trees, 3));
}

export function renderCertificatePdf(input: CertificatePdfInput, options: CertificatePdfOptions = {}): Promise<Buffer> {
  const issuedAt = asDate(input.issuedAt);
  const certificateDate = asDate(input.date);
  const pages = formatCertificatePages(input.pages);
  const trees = formatCertificateTrees(input.trees);

  const doc = new PDFDocument({
    size: 'LETTER',
    layout: 'landscape',
    margin: 0,
    compress: options.compress ?? true,
    // A fixed CreationDate makes the file (and its /ID) the same every time it is rendered.
    info: {
      Title: `Certificate of Reforestation ${input.certificateId}`,
      Author: 'Canopy',
      Subject: `${printable(input.accountName)}: ${trees} trees`,
      CreationDate: issuedAt,
    },
  });

  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width; // 792
  const height = doc.page.height; // 612
  const inner = { x: 72, width: width - 144 };

  // Frame: a heavy outer rule and a fine inner one.
  doc.lineWidth(6).strokeColor(GREEN).rect(24, 24, width - 48, height - 48).stroke();
  doc.lineWidth(1).strokeColor(LEAF).rect(36, 36, width - 72, height - 72).stroke();

  // A simple tree mark: trunk and three stacked crowns.
  const cx = width / 2;
  doc.fillColor(GREEN).rect(cx - 3, 92, 6, 14).fill();
  for (const [top, half] of [[56, 14], [66, 19], [76, 24]] as const) {
    doc.fillColor(LEAF).polygon([cx, top], [cx - half, top + 20], [cx + half, top + 20]).fill();
  }

  // Long account names and big figures shrink to stay on one line.
  const fit = (text: string, font: string, size: number, maxWidth: number) => {
    doc.font(font).fontSize(size);
    for (let fitted = size; fitted > 8 && doc.widthOfString(text) > maxWidth; ) doc.fontSize((fitted -= 1));
  };
  const centred = (text: string, y: number, font: string, size: number, color = INK) => {
    fit(text, font, size, inner.width);
    doc.fillColor(color).text(text, inner.x, y, { width: inner.width, align: 'center', lineBreak: false });
  };

  centred('CERTIFICATE OF REFORESTATION', 124, 'Times-Bold', 34, GREEN);
  centred('This certifies that', 182, 'Times-Italic', 16, MUTED);
  centred(printable(input.accountName), 208, 'Times-Bold', 30);
  centred(`offset the paper it printed in ${printable(input.periodLabel)}`, 252, 'Times-Italic', 16, MUTED);

  // The figures, side by side.
  const figures: [string, string][] = [
    [pages, 'standard pages'],
    [trees, 'trees planted'],
  ];
  const column = 220;
  figures.forEach(([value, label], i) => {
    const x = cx - column + column * i;
    fit(value, 'Helvetica-Bold', 28, column - 12);
    doc.fillColor(GREEN).text(value, x, 292, { width: column, align: 'center', lineBreak: false });
    doc.font('Helvetica').fontSize(11).fillColor(MUTED);
    doc.text(label.toUpperCase(), x, 326, { width: column, align: 'center', lineBreak: false, characterSpacing: 1.5 });
  });

  const project = input.projectLocation
    ? `${printable(input.projectName)} (${printable(input.projectLocation)})`
    : printable(input.projectName);
  centred('planted with the reforestation project', 372, 'Times-Italic', 14, MUTED);
  centred(project, 392, 'Times-Bold', 20);

  doc.moveTo(inner.x + 120, 448).lineTo(width - inner.x - 120, 448).lineWidth(0.5).strokeColor(LEAF).stroke();
  centred(`Certificate date ${longDate(certificateDate)}  ·  Issued ${longDate(issuedAt)}`, 460, 'Helvetica', 10, MUTED);
  centred(`Certificate ${input.certificateId}`, 476, 'Courier', 10, MUTED);
  centred(input.issuedBy ? `Issued by ${printable(input.issuedBy)} with Canopy` : 'Issued by Canopy', 526, 'Helvetica-Bold', 11, GREEN);

  doc.end();
  return done;
}
