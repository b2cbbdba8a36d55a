// Wire shapes of servers, feeds, devices, anomalies, Printix billing and collection runs.
import { Type } from 'typebox';
import { SERVER_TYPES } from '../connectors/types.ts';
import { Day, LedgerDay, PageQuery, NullableString, NullableTimestamp, NullableUuid, StringEnum, Timestamp, Uuid, orNull } from '../http/schemas.ts';

const ServerType = StringEnum(SERVER_TYPES, { description: 'the upstream: printtracker, pharos or printix' });
const FeedType = StringEnum([...SERVER_TYPES, 'import'] as const, {
  description: 'the upstream (printtracker, pharos, printix), or import: readings the dealer sends (POST /feeds/:id/readings, file upload, canopy import)',
});
const Text = (maxLength: number, description: string) => Type.Optional(orNull(Type.String({ maxLength, description })));

export const Server = Type.Object({
  id: Uuid,
  account_id: Uuid,
  type: ServerType,
  url: Type.String({ description: 'the upstream API address' }),
  label: Type.Union([Type.String(), Type.Null()], { description: 'a name for this server, shown on the dashboard' }),
  username: NullableString,
  contact: NullableString,
  created_at: Timestamp,
  partner_id: Type.Union([Type.String(), Type.Null()], { description: 'Printix: the partner id; null for other types' }),
  auth_url: Type.Union([Type.String(), Type.Null()], { description: 'Printix: the OAuth2 token endpoint; null for other types' }),
  health_check: StringEnum(['pending', 'healthy', 'unhealthy'] as const),
  health_check_checked_at: NullableTimestamp,
  health_check_changed_at: NullableTimestamp,
  health_check_message: Type.Union([Type.String(), Type.Null()], { description: 'what the last failed check said' }),
});

const serverFields = {
  label: Text(200, 'a name for this server, any type (e.g. "Print Tracker – main office"); for pharos, also the tenant label when username is left out'),
  url: Text(2048, 'https address of the API; default https://papi.printtrackerpro.com (printtracker), https://api.printix.net (printix); required for pharos'),
  username: Text(255, 'printtracker: the dealer (parent) entity ID, 24 hex; printix: the OAuth client id; pharos: a label'),
  contact: Text(320, 'who to call about this server'),
  partner_id: Text(255, 'printix only: the partner the client credentials belong to'),
  auth_url: Text(2048, 'printix only: the token endpoint; default https://auth.printix.net/oauth/token'),
};
const Password = Type.String({
  minLength: 1, maxLength: 4096,
  description: 'write-only, never returned: printtracker API key (a UUID), pharos authorization key, printix client secret',
});

export const CreateServerBody = Type.Object({ type: ServerType, password: Password, ...serverFields });
export const UpdateServerBody = Type.Object({ type: Type.Optional(ServerType), password: Type.Optional(Password), ...serverFields });

export const ConnectionTestResult = Type.Object({
  ok: Type.Boolean(),
  result: StringEnum(['ok', 'wrong_credentials', 'unreachable', 'timed_out', 'refused_address', 'upstream_error'] as const),
  message: Type.String(),
  checked_at: Timestamp,
});

export const UpstreamEntity = Type.Object({
  id: Type.String({ description: 'what a feed’s external_id takes' }),
  name: Type.String(),
  kind: StringEnum(['entity', 'tenant'] as const),
  parent_id: Type.Union([Type.String(), Type.Null()], { description: 'the enclosing entity when the upstream says' }),
});

const Scope = StringEnum(['all', 'managed_only'] as const, { description: 'collect every device, or managed devices only' });
const FeedHealth = StringEnum(['pending', 'healthy', 'unhealthy', 'offline'] as const);

export const Feed = Type.Object({
  id: Uuid,
  account_id: Uuid,
  type: FeedType,
  server_id: Type.Union([Uuid, Type.Null()], { description: 'null for import feeds' }),
  external_id: Type.String(),
  external_name: NullableString,
  collection_scope: Scope,
  created_at: Timestamp,
  status: StringEnum(['active', 'inactive'] as const),
  activated_at: NullableTimestamp,
  deactivated_at: NullableTimestamp,
  health_check: FeedHealth,
  health_check_checked_at: NullableTimestamp,
  health_check_changed_at: NullableTimestamp,
  last_collected_at: NullableTimestamp,
  last_reading_at: NullableTimestamp,
  last_error: NullableString,
});

const Activation = Type.Optional(orNull(Type.String({
  maxLength: 64,
  description: 'ISO 8601 time or YYYY-MM-DD; in the past, collection backfills from then. Default: the first day of the current month (create), now (activate)',
})));

export const CreateFeedBody = Type.Object({
  server_id: Type.Optional(Uuid),
  external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'the upstream entity or tenant id (GET /servers/:id/entities); for an import feed, an optional label of the dealer\'s tool' })),
  external_name: Text(255, 'a label for the upstream entity; filled in by collection when left out'),
  type: Type.Optional(FeedType),
  collection_scope: Type.Optional(Scope),
  activated_at: Activation,
});

export const UpdateFeedBody = Type.Object({
  server_id: Type.Optional(Uuid),
  external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  external_name: Text(255, 'a label for the upstream entity'),
  type: Type.Optional(FeedType),
  collection_scope: Type.Optional(Scope),
  activated_at: Activation,
});

export const ActivateFeedBody = Type.Object({ activated_at: Activation });

export const Device = Type.Object({
  device_id: Type.String({ description: 'the upstream device id; nothing else about devices is kept' }),
  managed: Type.Union([Type.Boolean(), Type.Null()]),
  initial_count: Type.Union([Type.Integer(), Type.Null()], { description: 'lifetime counter when Canopy first saw the device' }),
  latest_count: Type.Union([Type.Integer(), Type.Null()]),
  life_count: Type.Integer({ description: 'pages counted since Canopy first saw the device' }),
  first_read_at: NullableTimestamp,
  latest_read_at: NullableTimestamp,
  stale: Type.Boolean({ description: 'no reading for more than 3 business days' }),
  anomalies: Type.Integer(),
});

export const Anomaly = Type.Object({
  id: Uuid,
  feed_id: Uuid,
  device_id: Type.String(),
  kind: Type.String({ description: 'counter_reset, implausible_jump, unreadable_counter, missing_total, negative_revision, feed_day_ceiling or deposit_bound' }),
  day: Day,
  read_at: Timestamp,
  detail: Type.String(),
  pages: Type.Union([Type.Integer(), Type.Null()], { description: 'pages not deposited because of it, when known' }),
  created_at: Timestamp,
});

const BillingPeriod = Type.Union([
  Type.Object({
    period_start: NullableString, period_end: NullableString,
    printing_users: Type.Union([Type.Number(), Type.Null()]), user_licenses: Type.Union([Type.Number(), Type.Null()]),
  }),
  Type.Null(),
]);

export const Billing = Type.Object({
  tenant_name: Type.String(),
  tenant_domain: Type.String(),
  current_user_licenses: Type.Union([Type.Number(), Type.Null()]),
  current_billing_period: BillingPeriod,
  previous_billing_period: BillingPeriod,
});

export const ProvisionTenantBody = Type.Object({
  account_id: Uuid,
  tenant_name: Type.String({ minLength: 1, maxLength: 100 }),
  tenant_domain: Type.String({ minLength: 1, maxLength: 63 + 12, pattern: '^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(\\.printix\\.net)?$', description: 'acme or acme.printix.net' }),
  initial_user: Type.Optional(orNull(Type.Object({ email: Type.String({ format: 'email', maxLength: 320 }), name: Type.String({ minLength: 1, maxLength: 200 }) }))),
});

export const CollectionRun = Type.Object({
  id: Uuid,
  account_id: Uuid,
  feed_id: NullableUuid,
  trigger: StringEnum(['nightly', 'manual', 'backfill', 'cli'] as const),
  since: Type.Union([Day, Type.Null()]),
  status: StringEnum(['queued', 'running', 'succeeded', 'partial', 'failed'] as const, {
    description: 'succeeded: every feed collected, covered by another run (waited_for) or no longer active; partial: some failed or were offline; failed: none collected',
  }),
  created_at: Timestamp,
  started_at: NullableTimestamp,
  finished_at: NullableTimestamp,
  feeds_total: Type.Integer(),
  feeds_done: Type.Integer(),
  devices: Type.Integer(),
  readings: Type.Integer(),
  pages: Type.Integer({ description: 'net change of deposited pages' }),
  pages_read: Type.Integer({ description: 'pages the readings of the collected windows computed (re-read days included)' }),
  anomalies: Type.Integer(),
  errors: Type.Integer({ description: 'feeds failed or offline' }),
  error_messages: Type.Array(Type.String()),
  outcomes: Type.Object({
    collected: Type.Integer(), failed: Type.Integer(), offline: Type.Integer(),
    waited_for: Type.Integer({ description: 'covered by another run that collected the feed after this one was asked for' }),
    skipped: Type.Integer({ description: 'deactivated or deleted after the run began' }),
    open: Type.Integer({ description: 'not finished yet' }),
  }, { description: 'how many feeds of the run ended each way (GET /collection-runs/:id/feeds lists them)' }),
});

export const CreatedRun = Type.Object({
  ...CollectionRun.properties,
  joined: Type.Boolean({ description: 'true: a pending run of the same request already existed, and this is it (no second run was made)' }),
});

export const RunFeed = Type.Object({
  feed_id: Uuid,
  account_id: Uuid,
  outcome: StringEnum(['pending', 'collecting', 'collected', 'failed', 'offline', 'waited_for', 'skipped'] as const),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why it failed, was offline or skipped' }),
  covered_by: Type.Union([Uuid, Type.Null()], { description: 'waited_for: the run that collected the feed' }),
  devices: Type.Integer(),
  readings: Type.Integer(),
  pages: Type.Integer({ description: 'net change of deposited pages' }),
  pages_read: Type.Integer(),
  anomalies: Type.Integer(),
  attempts: Type.Integer({ description: 'collections of the feed started for this run (more than one: a collector died or lost its claim)' }),
  finished_at: NullableTimestamp,
});

export const CreateRunBody = Type.Object({
  feed_id: Type.Optional(orNull(Type.String({ format: 'uuid', description: 'one feed; default every active feed of the account and its descendants' }))),
  since: Type.Optional(orNull(LedgerDay('collect again from this UTC day (YYYY-MM-DD), not after today'))),
});

export const FeedListQuery = Type.Object({
  ...PageQuery.properties,
  include_descendants: Type.Optional(Type.Boolean({ description: 'also list the feeds of every account below this one' })),
});
