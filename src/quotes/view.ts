// Shapes quote rows for the wire: exact decimals from the store, rounded only here.
import { massForJson, priceForJson, treesForJson } from '../domain/paper.ts';
import { isoTimestamp } from '../http/wire.ts';
import type { ExpandedQuoteRow, QuoteItemRow, QuoteRow } from './service.ts';

const numberOrNull = (value: string | null) => (value === null ? null : Number(value));

export function quoteView(row: QuoteRow) {
  return {
    id: row.id,
    account_id: row.account_id,
    project_id: row.project_id,
    created_at: isoTimestamp(row.created_at),
    trees: treesForJson(row.trees, 'quote'),
    standard_pages: row.standard_pages,
    mass: massForJson(row.mass),
    rate: Number(row.rate),
    price: priceForJson(row.price),
    external_id: row.external_id,
    transaction_id: row.transaction_id,
  };
}

export function quoteItemView(item: QuoteItemRow) {
  return {
    quantity: item.quantity,
    width: numberOrNull(item.width),
    length: numberOrNull(item.length),
    density: item.density,
    paper_type_id: item.paper_type_id,
    mass: massForJson(item.mass),
  };
}

export function expandedQuoteView(row: ExpandedQuoteRow) {
  return { ...quoteView(row), items: row.items.map(quoteItemView) };
}
