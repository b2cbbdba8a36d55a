// The shareable certificate: GET /certificates/:id (printable HTML) and /certificates/:id.pdf, outside /v1.
// Like a receipt link, these need no API key: certificate ids are random UUIDs, so only someone given the
// link (by an API client, from `url`/`pdf_url`) can open it.
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Queryable } from '../db/database.ts';
import { monthLabel } from '../domain/calendar.ts';
import { NotFound } from '../domain/errors.ts';
import { errorResponses } from '../http/schemas.ts';
import { formatCertificatePages, formatCertificateTrees, renderCertificatePdf } from './certificate-pdf.ts';
import { findCertificate, type PublicCertificateRow } from './certificates-service.ts';
import { publicBaseUrl, type PublicUrlConfig } from './public-url.ts';
import { certificateLinks } from './views.ts';
import { isUuid } from '../domain/ids.ts';
import { effectiveBranding } from '../notifications/branding.ts';


/** "February 2021" for a month close; "8 March 2021" for a direct transaction. */
export function certificatePeriodLabel(row: Pick<PublicCertificateRow, 'kind' | 'period' | 'date'>): string {
  if (row.kind === 'month_close' && row.period) return monthLabel(row.period.slice(0, 7));
  const date = new Date(row.date);
  const month = `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  return `${date.getUTCDate()} ${monthLabel(month)}`;
}

/** "15.7358° S, 46.3588° E", or null without coordinates. */
export function projectLocation(latitude: number | null, longitude: number | null): string | null {
  if (latitude === null || longitude === null) return null;
  const part = (value: number, positive: string, negative: string) => `${Math.abs(value).toFixed(4)}° ${value < 0 ? negative : positive}`;
  return `${part(latitude, 'N', 'S')}, ${part(longitude, 'E', 'W')}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

async function certificateById(db: Queryable, id: string): Promise<PublicCertificateRow> {
  // A malformed id is simply not a certificate: answer as for an unknown one.
  if (!isUuid(id)) throw new NotFound('Certificate');
  return findCertificate(db, id);
}

function certificateHtml(row: PublicCertificateRow, pdfUrl: string, issuedBy: string | null): string {
  const location = projectLocation(row.project.forest_latitude, row.project.forest_longitude);
  const e = escapeHtml;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Certificate of Reforestation – ${e(row.account_name)}</title>
<style>
  body { font-family: Georgia, 'Times New Roman', serif; color: #222; margin: 0; background: #f4f7f4; }
  main { max-width: 46rem; margin: 2rem auto; background: #fff; border: 6px solid #1f5f3a; outline: 1px solid #4c9a5f;
         outline-offset: -14px; padding: 3rem 3.5rem; text-align: center; }
  h1 { color: #1f5f3a; letter-spacing: .08em; font-size: 1.9rem; margin: 0 0 1.5rem; }
  .muted { color: #6b6b6b; font-style: italic; }
  .account { font-size: 1.8rem; font-weight: bold; margin: .4rem 0 1rem; }
  .figures { display: flex; justify-content: center; gap: 4rem; margin: 1.5rem 0; }
  .figure strong { display: block; color: #1f5f3a; font: bold 1.8rem Helvetica, Arial, sans-serif; }
  .figure span { font: .8rem Helvetica, Arial, sans-serif; letter-spacing: .12em; color: #6b6b6b; text-transform: uppercase; }
  .project { font-size: 1.3rem; font-weight: bold; }
  footer { margin-top: 2rem; font: .8rem Helvetica, Arial, sans-serif; color: #6b6b6b; }
  code { font-size: .8rem; }
  @media print { body { background: #fff; } main { margin: 0 auto; } .no-print { display: none; } }
</style>
</head>
<body>
<main>
  <h1>CERTIFICATE OF REFORESTATION</h1>
  <p class="muted">This certifies that</p>
  <p class="account">${e(row.account_name)}</p>
  <p class="muted">offset the paper it printed in ${e(certificatePeriodLabel(row))}</p>
  <div class="figures">
    <div class="figure"><strong>${e(formatCertificatePages(row.pages))}</strong><span>standard pages</span></div>
    <div class="figure"><strong>${e(formatCertificateTrees(row.trees))}</strong><span>trees planted</span></div>
  </div>
  <p class="muted">planted with the reforestation project</p>
  <p class="project">${e(row.project.name)}${location ? ` <span class="muted">(${e(location)})</span>` : ''}</p>
  ${row.project.content_introduction ? `<p>${e(row.project.content_introduction)}</p>` : ''}
  <footer>
    <p>Certificate date ${e(new Date(row.date).toISOString().slice(0, 10))} · Certificate <code>${e(row.id)}</code> · Issued by ${issuedBy ? `${e(issuedBy)} with ` : ''}Canopy</p>
    <p class="no-print"><a href="${e(pdfUrl)}">Download the PDF</a></p>
  </footer>
</main>
</body>
</html>
`;
}

export interface CertificatePagesOptions {
  db: Queryable;
  config: PublicUrlConfig;
}

/** Register at the root of the app (not under /v1): no API key is asked for. */
export const certificatePages: FastifyPluginAsyncTypebox<CertificatePagesOptions> = async (app, { db, config }) => {
  const tags = ['Certificates'];
  const params = Type.Object({ id: Type.String({ description: 'certificate id (UUID)' }) });

  app.get(
    '/certificates/:id.pdf',
    {
      // Rendered on every request without a key: limited per client address (http/rate-limits.ts).
      config: { publicRender: true },
      schema: {
        tags, summary: 'The certificate as a PDF (shareable link, no API key)', security: [], params,
        response: {
          200: { description: 'PDF document', content: { 'application/pdf': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } } },
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const row = await certificateById(db, request.params.id);
      const pdf = await renderCertificatePdf({
        certificateId: row.id,
        accountName: row.account_name,
        periodLabel: certificatePeriodLabel(row),
        date: row.date,
        pages: row.pages,
        trees: row.trees,
        projectName: row.project.name,
        projectLocation: projectLocation(row.project.forest_latitude, row.project.forest_longitude),
        issuedAt: row.created_at,
        issuedBy: (await effectiveBranding(db, row.account_id))?.sender_name ?? null,
      });
      reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="certificate-${row.id}.pdf"`)
        .header('cache-control', 'private, max-age=300');
      return reply.send(pdf);
    },
  );

  app.get(
    '/certificates/:id',
    {
      schema: {
        tags, summary: 'The certificate as a printable page (shareable link, no API key)', security: [], params,
        response: {
          200: { description: 'HTML page', content: { 'text/html': { schema: Type.String() } } },
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const row = await certificateById(db, request.params.id);
      const { pdf_url } = certificateLinks(publicBaseUrl(config, request), row.id);
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'")
        .header('cache-control', 'private, max-age=300');
      return reply.send(certificateHtml(row, pdf_url, (await effectiveBranding(db, row.account_id))?.sender_name ?? null));
    },
  );
};
