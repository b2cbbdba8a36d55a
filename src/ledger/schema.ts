// Wire shapes of deposits, transactions, certificates and volume, as the PrintReleaf reference shows them.
import { Type, type TSchema } from 'typebox';
import { FIRST_LEDGER_DAY, LAST_LEDGER_DAY } from '../domain/calendar.ts';
import { MAX_DENSITY, MAX_DIMENSION_METRES, MAX_MASS_GRAMS, MAX_PAGES, MAX_TREES } from '../domain/paper.ts';
import { ForestryProject } from '../catalog/schema.ts';
import { DecimalFigure, LedgerDay, NullableUuid, PageQuery, PageTotal, StringEnum, Timestamp, Uuid, orNull } from '../http/schemas.ts';

/** An optional field that also accepts null (= not given). */
function OrNull<T>(schema: Record<string, unknown> & { type: string }) {
  return Type.Optional(orNull(Type.Unsafe<T>(schema)));
}

/** A day in a query: a real calendar date within the ledger's years. */
const QueryDay = (description: string) => Type.Optional(LedgerDay(description));

export const DateRangeQuery = Type.Object({
  ...PageQuery.properties,
  start_date: QueryDay('first UTC day included, YYYY-MM-DD'),
  end_date: QueryDay('last UTC day included, YYYY-MM-DD'),
});

export const CertificateListQuery = Type.Object({
  ...DateRangeQuery.properties,
  include_descendants: Type.Optional(Type.Boolean({ description: 'also list the certificates of every account below this one, each with its account_name (a dealer’s view)' })),
});

export const VolumeQuery = Type.Object({
  start_date: QueryDay('a day in the first month reported, YYYY-MM-DD'),
  end_date: QueryDay('a day in the last month reported, YYYY-MM-DD'),
});

const Pages = { type: 'integer', minimum: 1, maximum: MAX_PAGES } as const;
const Dimension = (description: string) =>
  Type.Optional(orNull(DecimalFigure({ exclusiveMinimum: 0, maximum: MAX_DIMENSION_METRES, description })));

export const Deposit = Type.Object({
  id: Uuid,
  account_id: Uuid,
  feed_id: NullableUuid,
  source_id: Type.Union([Uuid, Type.Null()], { description: 'alias of feed_id (older clients)' }),
  date: Timestamp,
  pages: Type.Integer(),
  width: Type.Number({ description: 'metres' }),
  length: Type.Number({ description: 'metres' }),
  density: Type.Integer({ description: 'g/m²' }),
  paper_type_id: NullableUuid,
});

export const CreateDepositBody = Type.Object({
  pages: Type.Integer({
    ...Pages,
    description: `sheets printed, a positive integer; with width, length and density at most ${MAX_MASS_GRAMS} g of paper`,
  }),
  date: OrNull<string>({
    type: 'string',
    maxLength: 40,
    description: `ISO 8601 time or YYYY-MM-DD (midnight UTC); default now; from ${FIRST_LEDGER_DAY}, never in the future or in a closed month`,
  }),
  width: Dimension('metres; default 0.2159 (US Letter)'),
  length: Dimension('metres; default 0.2794 (US Letter)'),
  height: Dimension('alias of length'),
  density: OrNull<number>({ type: 'integer', minimum: 1, maximum: MAX_DENSITY, description: 'g/m²; default 75, or the paper type’s' }),
  paper_type_id: OrNull<string>({ type: 'string', format: 'uuid', description: 'a default or own paper type; supplies density' }),
});

export const Transaction = Type.Object({
  id: Uuid,
  account_id: Uuid,
  quote_id: NullableUuid,
  project_id: Uuid,
  certificate_id: Uuid,
  date: Timestamp,
  pages: Type.Integer({ description: 'standard pages' }),
  trees: Type.Number({ description: 'three decimals' }),
});

export const CreateTransactionBody = Type.Object({
  pages: OrNull<number>({ ...Pages, description: 'standard pages; give exactly one of pages, trees or quote_id' }),
  trees: Type.Optional(orNull(DecimalFigure({ exclusiveMinimum: 0, maximum: MAX_TREES, description: 'trees, kept exactly as given' }))),
  quote_id: OrNull<string>({ type: 'string', format: 'uuid', description: 'a quote of this account, not yet transacted' }),
  project_id: OrNull<string>({
    type: 'string', format: 'uuid', description: 'an active forestry project; default the quote’s, the account’s selected or the default',
  }),
});

export const Certificate = Type.Object({
  id: Uuid,
  account_id: Uuid,
  date: Timestamp,
  pages: Type.Integer({ description: 'standard pages' }),
  trees: Type.Number({ description: 'three decimals' }),
  project_id: Uuid,
  project: ForestryProject,
  url: Type.String({ description: 'printable page of the certificate on this server (no API key needed)' }),
  pdf_url: Type.String({ description: 'the certificate as a PDF on this server (no API key needed)' }),
  account_name: Type.Optional(Type.String({ description: 'with include_descendants=true: the name of the account it belongs to' })),
});

export const VolumePeriod = Type.Object({
  account_id: Uuid,
  date: Timestamp,
  pages: PageTotal('standard pages in the month, account and descendants'),
  trees: Type.Number({ description: 'two decimals' }),
});
