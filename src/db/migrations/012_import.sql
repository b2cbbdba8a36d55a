-- Import feeds: meter readings (or usage figures) a dealer sends by API, upload or CLI instead of Canopy fetching them.
-- Only device ids, times and counters are kept (DESIGN "Collection"): nothing else about devices or users.

ALTER TABLE feeds ALTER COLUMN server_id DROP NOT NULL;
ALTER TABLE feeds DROP CONSTRAINT feeds_type_check;
ALTER TABLE feeds ADD CONSTRAINT feeds_type_check CHECK (type IN ('printtracker', 'pharos', 'printix', 'import'));
-- A feed without a server is an import feed, and an import feed has none.
ALTER TABLE feeds ADD CONSTRAINT feeds_import_serverless CHECK ((type = 'import') = (server_id IS NULL));

-- Lifetime counters as imported: one reading per device and instant (the same one again is a duplicate).
CREATE TABLE import_readings (
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  device_id text NOT NULL,
  read_at timestamptz NOT NULL,
  lifetime_total bigint NOT NULL CHECK (lifetime_total >= 0),
  black_total bigint CHECK (black_total >= 0),
  color_total bigint CHECK (color_total >= 0),
  managed boolean,
  PRIMARY KEY (feed_id, device_id, read_at)
);
-- A feed's readings of a window, for recomputing its deposits.
CREATE INDEX import_readings_window ON import_readings (feed_id, read_at);
-- Devices already counted on another account's feed are refused: looked up by device id.
CREATE INDEX import_readings_device ON import_readings (device_id, account_id);
CREATE INDEX feed_devices_device ON feed_devices (device_id, account_id);

-- Pages per device per day (period 'day') or per month (period 'month', keyed by the month's first day).
CREATE TABLE import_usage (
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  device_id text NOT NULL,
  period text NOT NULL CHECK (period IN ('day', 'month')),
  day date NOT NULL,
  pages bigint NOT NULL CHECK (pages >= 0),
  paper_size text,
  PRIMARY KEY (feed_id, device_id, period, day)
);
CREATE INDEX import_usage_device ON import_usage (device_id, account_id);

-- The column mapping a dealer saved for a feed's files, so next month's export is one click.
CREATE TABLE import_mappings (
  feed_id uuid PRIMARY KEY REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  mapping jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One import of a file or request: its progress (rows committed, chunk by chunk) and what it found.
-- A file imported again after a crash resumes after rows_done (matched by its sha256).
CREATE TABLE import_jobs (
  id uuid PRIMARY KEY,
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  source text NOT NULL CHECK (source IN ('api', 'upload', 'cli')),
  status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'running', 'succeeded', 'failed')),
  filename text,
  sha256 text,
  options jsonb NOT NULL DEFAULT '{}',
  bytes_total bigint,
  bytes_done bigint NOT NULL DEFAULT 0,
  rows_done bigint NOT NULL DEFAULT 0,
  accepted bigint NOT NULL DEFAULT 0,
  duplicates bigint NOT NULL DEFAULT 0,
  conflicts bigint NOT NULL DEFAULT 0,
  refused bigint NOT NULL DEFAULT 0,
  -- the first problems, each {row, column, rule, value}
  problems jsonb NOT NULL DEFAULT '[]',
  changed_days jsonb NOT NULL DEFAULT '[]',
  error text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX import_jobs_feed ON import_jobs (feed_id, created_at DESC);
CREATE INDEX import_jobs_resume ON import_jobs (feed_id, sha256) WHERE status <> 'succeeded';

-- What a closed day has already carried into open months, so a second revision of it carries only what is new.
CREATE TABLE closed_day_carries (
  feed_id uuid NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  day date NOT NULL,
  width numeric NOT NULL,
  length numeric NOT NULL,
  pages bigint NOT NULL,
  PRIMARY KEY (feed_id, day, width, length)
);
