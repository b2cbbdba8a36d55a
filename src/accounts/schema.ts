// Wire shapes of accounts, as the PrintReleaf reference shows them.
import { Type } from 'typebox';
import { MAX_RATE } from '../domain/paper.ts';
import { DecimalFigure, NullableString, NullableTimestamp, NullableUuid, PageTotal, StringEnum, Timestamp, Uuid, orNull } from '../http/schemas.ts';

export const RoleSchema = StringEnum(['admin', 'channel', 'customer'] as const);

const accountFields = {
  id: Uuid,
  name: Type.String(),
  display_name: Type.String(),
  role: RoleSchema,
  created_at: Timestamp,
  parent_id: NullableUuid,
  external_id: NullableString,
  status: StringEnum(['active', 'inactive'] as const),
  activated_at: NullableTimestamp,
  deactivated_at: NullableTimestamp,
};

export const Account = Type.Object(accountFields);

export const ExpandedAccount = Type.Object(
  {
    ...accountFields,
    accounts_count: Type.Integer(),
    users_count: Type.Integer(),
    mtd_pages: PageTotal('standard pages this UTC month, account and descendants'),
    qtd_pages: PageTotal('standard pages this UTC quarter, account and descendants'),
    ytd_pages: PageTotal('standard pages this UTC year, account and descendants'),
    ltd_pages: PageTotal('standard pages ever, account and descendants'),
    mtd_trees: Type.Number(),
    qtd_trees: Type.Number(),
    ytd_trees: Type.Number(),
    ltd_trees: Type.Number(),
    rate: Type.Union([Type.Number(), Type.Null()], {
      description: 'USD per standard page set on this account; null inherits the nearest ancestor\'s (or the installation default)',
    }),
  },
);

const Name = Type.String({ minLength: 1, maxLength: 200 });

/** Set by an ancestor only: an account may not price itself. null clears it (inherit). */
const Rate = orNull(
  DecimalFigure({
    minimum: 0, maximum: MAX_RATE,
    description: 'USD per standard page; null inherits the nearest ancestor\'s rate (or the installation default)',
  }),
);

export const CreateAccountBody = Type.Object({
  name: Name,
  display_name: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
  external_id: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
  role: Type.Optional(RoleSchema),
  parent_id: Type.Optional(Uuid),
  rate: Type.Optional(Rate),
});

export const UpdateAccountBody = Type.Object({
  name: Type.Optional(Name),
  display_name: Type.Optional(Type.String({ maxLength: 200 })),
  external_id: Type.Optional(orNull(Type.String({ maxLength: 200 }))),
  rate: Type.Optional(Rate),
});
