-- Canopy's outbound side: events written in their cause's transaction (the outbox), webhook endpoints and
-- their deliveries, emails (sent by SMTP or kept in the outbox), users' notification choices, dealer branding.

-- One row per thing that happened, written in the same transaction as the change itself; the outbound job
-- fans it out (webhook deliveries, emails) and marks it. Its id is the webhook-id every redelivery carries.
CREATE TABLE outbound_events (
  id uuid PRIMARY KEY,
  type text NOT NULL,
  -- the account the resource belongs to: endpoints of it and of its ancestors receive the event
  account_id uuid NOT NULL REFERENCES accounts (id),
  resource_id uuid NOT NULL,
  -- the resource as it was when the event happened (table row; shaped for the wire when fanned out)
  data jsonb NOT NULL,
  previous text,
  occurred_at timestamptz NOT NULL,
  fanned_out_at timestamptz
);
CREATE INDEX outbound_events_pending ON outbound_events (occurred_at, id) WHERE fanned_out_at IS NULL;
CREATE INDEX outbound_events_account ON outbound_events (account_id, occurred_at DESC);

CREATE TABLE webhook_endpoints (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  -- copied from the account (paths never change): which events an endpoint may see is one prefix test
  account_path text NOT NULL,
  url text NOT NULL,
  description text,
  events text[] NOT NULL,
  status text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  -- the signing secret (whsec_…) sealed with the installation key, bound to the endpoint id
  secret_ciphertext text NOT NULL,
  -- after a rotation the old secret still signs (a second signature) until this instant
  previous_secret_ciphertext text,
  previous_secret_expires_at timestamptz,
  -- first failed attempt since the last success: three days of failure disable the endpoint
  failing_since timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  created_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, created_at DESC, id);

-- One event to one endpoint: retried with backoff until it succeeds or three days have passed.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES outbound_events (id),
  endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  -- a delivering row whose lease lapsed (its process died) is due again
  lease_until timestamptz,
  -- retries stop after three days counted from here (a resend starts a new period)
  period_started_at timestamptz NOT NULL,
  last_attempt_at timestamptz,
  response_status integer,
  duration_ms integer,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id);

-- Every attempt of a delivery: the log a dealer reads to see what their endpoint answered.
CREATE TABLE webhook_attempts (
  id uuid PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  attempted_at timestamptz NOT NULL,
  response_status integer,
  duration_ms integer NOT NULL,
  error text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);

-- Emails: sent over SMTP by the outbound job, or kept here (the outbox) when no SMTP is configured.
CREATE TABLE mail_messages (
  id uuid PRIMARY KEY,
  -- what causes it, unique: fanning an event out twice makes no second message
  cause_key text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('certificate', 'health_alert', 'invitation', 'password_reset', 'webhook_disabled')),
  -- the account the message is sent for (its own and its ancestors' users see it in the outbox)
  account_id uuid NOT NULL REFERENCES accounts (id),
  user_id uuid REFERENCES users (id) ON DELETE SET NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  -- messages that carry a one-time link are sealed at rest (sealed = true) and never shown by the API
  text_body text NOT NULL,
  html_body text NOT NULL,
  sealed boolean NOT NULL DEFAULT false,
  sender_name text,
  -- the certificate whose PDF is attached (rendered when sent)
  certificate_id uuid,
  status text NOT NULL CHECK (status IN ('outbox', 'queued', 'sending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX mail_messages_due ON mail_messages (next_attempt_at) WHERE status IN ('queued', 'sending');
CREATE INDEX mail_messages_account ON mail_messages (account_id, created_at DESC, id);

-- Health changes waiting to be told to a dealer's users: grouped into at most one message per account per hour.
CREATE TABLE health_alert_items (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE REFERENCES outbound_events (id),
  -- the dealer: the account that registered the server
  account_id uuid NOT NULL REFERENCES accounts (id),
  subject text NOT NULL CHECK (subject IN ('server', 'feed')),
  health text NOT NULL,
  previous text,
  occurred_at timestamptz NOT NULL,
  -- the alert it went out in; null while waiting
  alert_id uuid
);
CREATE INDEX health_alert_items_waiting ON health_alert_items (account_id) WHERE alert_id IS NULL;

-- One alert sent to an account: the hour rule counts from its last one.
CREATE TABLE health_alerts (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL
);
CREATE INDEX health_alerts_account ON health_alerts (account_id, created_at DESC);

-- What each user wants to receive; no row means everything.
CREATE TABLE notification_preferences (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  certificates boolean NOT NULL DEFAULT true,
  health_alerts boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL
);

-- A dealer's name and line on certificate emails, pages and PDFs of its subtree (the nearest ancestor's wins).
CREATE TABLE mail_branding (
  account_id uuid PRIMARY KEY REFERENCES accounts (id),
  sender_name text NOT NULL,
  line text,
  updated_at timestamptz NOT NULL
);

-- Forgot-password requests per email address and per client address, to throttle them.
CREATE TABLE password_reset_requests (
  key text PRIMARY KEY,
  requests integer NOT NULL,
  window_started_at timestamptz NOT NULL
);
