-- Collection: dealers' upstream servers, customer feeds, the per-device counter ledger, anomalies and runs.
-- Only counters and their times are kept about devices (DESIGN "Collection"): no serials, models, places or users.

CREATE TABLE servers (
  id uuid PRIMARY KEY,
  -- the dealer (or any account) that registered it; visible to that account and its ancestors
  account_id uuid NOT NULL REFERENCES accounts (id),
  type text NOT NULL CHECK (type IN ('printtracker', 'pharos', 'printix')),
  url text NOT NULL,
  username text,
  contact text,
  -- AES-256-GCM under the installation's secret key, bound to the row id; never returned or logged
  password_ciphertext text NOT NULL,
  -- Printix only: the partner the client credentials belong to, and the OAuth2 token endpoint
  partner_id text,
  auth_url text,
  health_check text NOT NULL DEFAULT 'pending' CHECK (health_check IN ('pending', 'healthy', 'unhealthy')),
  health_check_checked_at timestamptz,
  health_check_changed_at timestamptz,
  health_check_message text,
  -- what Canopy has learnt about this upstream's answers (e.g. whether an end day is inclusive)
  traits jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX servers_account ON servers (account_id, created_at DESC, id);

CREATE TABLE feeds (
  id uuid PRIMARY KEY,
  -- the customer whose deposits the feed makes
  account_id uuid NOT NULL REFERENCES accounts (id),
  server_id uuid NOT NULL REFERENCES servers (id),
  type text NOT NULL CHECK (type IN ('printtracker', 'pharos', 'printix')),
  external_id text NOT NULL,
  external_name text,
  collection_scope text NOT NULL DEFAULT 'all' CHECK (collection_scope IN ('all', 'managed_only')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  activated_at timestamptz,
  deactivated_at timestamptz,
  health_check text NOT NULL DEFAULT 'pending' CHECK (health_check IN ('pending', 'healthy', 'unhealthy', 'offline')),
  health_check_checked_at timestamptz,
  health_check_changed_at timestamptz,
  -- collection cursor: readings from window_start on are (re)read on the next run; before it, each
  -- device's counter at window_start is in feed_devices.base_*
  window_start timestamptz,
  last_collected_at timestamptz,
  last_reading_at timestamptz,
  last_error text,
  -- one collector at a time per feed, across processes; a crashed holder's lease expires
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE INDEX feeds_account ON feeds (account_id, activated_at DESC, id) WHERE deleted_at IS NULL;
CREATE INDEX feeds_server ON feeds (server_id) WHERE deleted_at IS NULL;
-- One live feed per upstream entity of a server: two would deposit the same pages twice.
CREATE UNIQUE INDEX feeds_one_per_entity ON feeds (server_id, external_id) WHERE deleted_at IS NULL;

-- The device ledger: per device of a feed, its counters as DESIGN and the Print Tracker integration guide list
-- them (initial, latest, life), plus the checkpoint at the feed's window_start that revisions start from.
CREATE TABLE feed_devices (
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  device_id text NOT NULL,
  managed boolean,
  initial_count bigint,
  latest_count bigint,
  -- pages counted for this device since Canopy first saw it (resets and held-back jumps excluded)
  life_count bigint NOT NULL DEFAULT 0,
  first_read_at timestamptz,
  latest_read_at timestamptz,
  -- the last readable reading before feeds.window_start, and life_count as of it
  base_count bigint,
  base_read_at timestamptz,
  base_life bigint NOT NULL DEFAULT 0,
  -- the upstream entity the device reported under (needed to ask for its earlier readings)
  entity_id text,
  PRIMARY KEY (feed_id, device_id)
);

CREATE TABLE collection_anomalies (
  id uuid PRIMARY KEY,
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  device_id text NOT NULL,
  kind text NOT NULL,
  day date NOT NULL,
  -- the reading the anomaly is about: recollecting a window records it once
  read_at timestamptz NOT NULL,
  detail text NOT NULL,
  pages bigint,
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX collection_anomalies_once ON collection_anomalies (feed_id, device_id, kind, read_at);
CREATE INDEX collection_anomalies_feed ON collection_anomalies (feed_id, day DESC);

-- Pages a deposit holds that were carried from days of a closed month (late readings, backfills).
ALTER TABLE deposits ADD COLUMN carried_pages bigint NOT NULL DEFAULT 0 CHECK (carried_pages >= 0);

CREATE TABLE collection_runs (
  id uuid PRIMARY KEY,
  -- the account whose subtree's feeds the run covers
  account_id uuid NOT NULL REFERENCES accounts (id),
  feed_id uuid,
  trigger text NOT NULL CHECK (trigger IN ('nightly', 'manual', 'backfill', 'cli')),
  since date,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX collection_runs_account ON collection_runs (account_id, created_at DESC, id);
CREATE INDEX collection_runs_open ON collection_runs (status) WHERE status IN ('queued', 'running');

-- The feeds of a run, claimed one at a time by whichever worker gets there first.
CREATE TABLE collection_run_feeds (
  run_id uuid NOT NULL REFERENCES collection_runs (id) ON DELETE CASCADE,
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'done', 'failed', 'skipped')),
  claimed_by text,
  lease_until timestamptz,
  devices integer NOT NULL DEFAULT 0,
  readings integer NOT NULL DEFAULT 0,
  pages bigint NOT NULL DEFAULT 0,
  anomalies integer NOT NULL DEFAULT 0,
  error text,
  finished_at timestamptz,
  PRIMARY KEY (run_id, feed_id)
);
CREATE INDEX collection_run_feeds_pending ON collection_run_feeds (run_id, status);
