// Wire shapes of quotes and quote items, as the PrintReleaf reference shows them (plus the quote's `rate`).
import { Type, type Static, type TSchema } from 'typebox';
import { MAX_DENSITY, MAX_DIMENSION_METRES, MAX_MASS_GRAMS, MAX_PAGES, MAX_QUOTE_ITEMS } from '../domain/paper.ts';
import { DecimalFigure, NullableString, NullableUuid, Timestamp, Uuid, orNull } from '../http/schemas.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);


const quoteFields = {
  id: Uuid,
  account_id: Uuid,
  project_id: Uuid,
  created_at: Timestamp,
  trees: Type.Number({ description: 'standard pages / 8333⅓, 6 decimals' }),
  standard_pages: Type.Integer({ description: 'round(mass / 4.5241845 g): US Letter pages at 75 g/m²' }),
  mass: Type.Number({ description: 'grams, 6 decimals' }),
  rate: Type.Number({ description: 'USD per standard page: the account\'s rate, inherited from the nearest ancestor that sets one' }),
  price: Type.Number({ description: 'USD: standard_pages x rate, 2 decimals' }),
  external_id: NullableString,
  transaction_id: Type.Union([Uuid, Type.Null()], { description: 'null until the quote is transacted' }),
};

export const Quote = Type.Object(quoteFields);

export const QuoteItem = Type.Object({
  quantity: nullable(Type.Integer()),
  width: nullable(Type.Number({ description: 'metres' })),
  length: nullable(Type.Number({ description: 'metres' })),
  density: nullable(Type.Integer({ description: 'g/m²' })),
  paper_type_id: NullableUuid,
  mass: Type.Number({ description: 'grams, 6 decimals' }),
});

export const ExpandedQuote = Type.Object({ ...quoteFields, items: Type.Array(QuoteItem) });

const dimension = (description: string) => DecimalFigure({ exclusiveMinimum: 0, maximum: MAX_DIMENSION_METRES, description });
const uuid = (description: string) => Type.String({ format: 'uuid', description });

const QuoteItemInput = Type.Object(
  {
    quantity: Type.Optional(orNull(Type.Integer({ minimum: 1, maximum: MAX_PAGES, description: 'sheets' }))),
    width: Type.Optional(orNull(dimension('metres; default 0.2159 (US Letter)'))),
    length: Type.Optional(orNull(dimension('metres; default 0.2794 (US Letter)'))),
    height: Type.Optional(orNull(dimension('alias of length'))),
    density: Type.Optional(orNull(Type.Integer({ minimum: 1, maximum: MAX_DENSITY, description: 'g/m²; default 75' }))),
    paper_type_id: Type.Optional(orNull(uuid('a default or own paper type; supplies the density'))),
    mass: Type.Optional(orNull(DecimalFigure({ exclusiveMinimum: 0, maximum: MAX_MASS_GRAMS, description: 'grams, instead of paper' }))),
  },
  { description: 'Paper (quantity, width, length or height, density or paper_type_id) or a mass in grams' },
);

export const CreateQuoteBody = Type.Object({
  project_id: uuid('an active forestry project'),
  items: Type.Array(QuoteItemInput, {
    minItems: 1, maxItems: MAX_QUOTE_ITEMS, description: `at most ${MAX_MASS_GRAMS} g of paper in total`,
  }),
  external_id: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
});
