// Shapes ledger rows for the wire: timestamps without milliseconds, trees rounded only here.
import { treesForJson } from '../domain/paper.ts';
import { isoTimestamp } from '../http/wire.ts';
import type { CertificateRow } from './certificates-service.ts';
import type { DepositRow } from './deposits-service.ts';
import type { TransactionRow } from './transactions-service.ts';
import type { VolumeBucket } from './volume-service.ts';

export function depositView(row: DepositRow) {
  return {
    id: row.id,
    account_id: row.account_id,
    feed_id: row.feed_id,
    source_id: row.feed_id,
    date: isoTimestamp(row.date),
    pages: row.pages,
    width: Number(row.width),
    length: Number(row.length),
    density: row.density,
    paper_type_id: row.paper_type_id,
  };
}

export function transactionView(row: TransactionRow) {
  return {
    id: row.id,
    account_id: row.account_id,
    quote_id: row.quote_id,
    project_id: row.project_id,
    certificate_id: row.id,
    date: isoTimestamp(row.date),
    pages: row.pages,
    trees: treesForJson(row.trees, 'transaction'),
  };
}

/** Where this server shows a certificate: `base` is the public origin, e.g. https://canopy.example.com. */
export function certificateLinks(base: string, id: string): { url: string; pdf_url: string } {
  return { url: `${base}/certificates/${id}`, pdf_url: `${base}/certificates/${id}.pdf` };
}

export function certificateView(row: CertificateRow, base: string) {
  return {
    id: row.id,
    account_id: row.account_id,
    date: isoTimestamp(row.date),
    pages: row.pages,
    trees: treesForJson(row.trees, 'certificate'),
    project_id: row.project_id,
    project: row.project,
    ...certificateLinks(base, row.id),
  };
}

export function volumeView(accountId: string, bucket: VolumeBucket) {
  return {
    account_id: accountId,
    date: `${bucket.month}-01T00:00:00Z`,
    pages: bucket.pages,
    trees: treesForJson(bucket.trees, 'volume'),
  };
}
