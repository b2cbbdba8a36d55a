-- The ledger: paper types, forestry projects, quotes, deposits, transactions, certificates, closed months.
-- Pages are integers; masses, trees, rates and prices are exact numerics. Standard pages (US Letter at
-- 75 g/m²) are stored beside raw pages so figures never recompute paper maths.

-- Price per standard page, inherited down the tree when null (the root falls back to the configured default).
ALTER TABLE accounts ADD COLUMN rate numeric(20, 10) CHECK (rate >= 0);

CREATE TABLE paper_types (
  id uuid PRIMARY KEY,
  -- null: a default type of the catalog, visible to everyone
  account_id uuid REFERENCES accounts (id),
  name text NOT NULL,
  density integer NOT NULL CHECK (density > 0),
  external_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paper_types_account ON paper_types (account_id, name);

CREATE TABLE forestry_projects (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'complete')),
  forest_latitude double precision,
  forest_longitude double precision,
  content_logo text,
  content_masthead text,
  content_introduction text,
  content_body_html text,
  content_images jsonb NOT NULL DEFAULT '[]',
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL
);

-- An account's selected ("favourite") projects; the first active one receives its certificates.
CREATE TABLE account_projects (
  account_id uuid NOT NULL REFERENCES accounts (id),
  project_id uuid NOT NULL REFERENCES forestry_projects (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, project_id)
);

CREATE TABLE quotes (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  project_id uuid NOT NULL REFERENCES forestry_projects (id),
  external_id text,
  mass numeric NOT NULL CHECK (mass >= 0),
  standard_pages bigint NOT NULL CHECK (standard_pages >= 0),
  trees numeric NOT NULL,
  rate numeric NOT NULL,
  price numeric NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX quotes_account_created ON quotes (account_id, created_at DESC, id);

CREATE TABLE quote_items (
  quote_id uuid NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  position integer NOT NULL,
  quantity bigint,
  width numeric,
  length numeric,
  density integer,
  paper_type_id uuid REFERENCES paper_types (id),
  mass numeric NOT NULL,
  PRIMARY KEY (quote_id, position)
);

CREATE TABLE transactions (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  -- a quote is transacted at most once
  quote_id uuid UNIQUE REFERENCES quotes (id),
  project_id uuid NOT NULL REFERENCES forestry_projects (id),
  kind text NOT NULL CHECK (kind IN ('direct', 'month_close')),
  -- first day of the closed month, for month-close transactions
  period date,
  date timestamptz NOT NULL,
  pages bigint NOT NULL CHECK (pages >= 0),
  trees numeric NOT NULL,
  billed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'month_close') = (period IS NOT NULL))
);
CREATE INDEX transactions_account_date ON transactions (account_id, date DESC, id);
-- Exactly one month-close transaction per account and month, however often or concurrently close runs.
CREATE UNIQUE INDEX transactions_one_close ON transactions (account_id, period) WHERE kind = 'month_close';

-- A certificate shares its transaction's id (as the reference's examples do).
CREATE TABLE certificates (
  id uuid PRIMARY KEY REFERENCES transactions (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  project_id uuid NOT NULL REFERENCES forestry_projects (id),
  date timestamptz NOT NULL,
  pages bigint NOT NULL,
  trees numeric NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificates_account_date ON certificates (account_id, date DESC, id);

CREATE TABLE deposits (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  -- null for deposits made through the API; the collecting feed otherwise
  feed_id uuid,
  date timestamptz NOT NULL,
  -- UTC calendar day of `date`
  day date NOT NULL,
  pages bigint NOT NULL CHECK (pages >= 0),
  width numeric NOT NULL CHECK (width > 0),
  length numeric NOT NULL CHECK (length > 0),
  density integer NOT NULL CHECK (density > 0),
  paper_type_id uuid REFERENCES paper_types (id),
  standard_pages bigint NOT NULL CHECK (standard_pages >= 0),
  -- set when the month closes: the deposit is then locked
  transaction_id uuid REFERENCES transactions (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deposits_account_date ON deposits (account_id, date DESC, id);
CREATE INDEX deposits_unlocked_day ON deposits (day, account_id) WHERE transaction_id IS NULL;
-- A feed has at most one deposit per day and paper size; collecting the day again replaces it.
CREATE UNIQUE INDEX deposits_feed_day ON deposits (feed_id, day, width, length) WHERE feed_id IS NOT NULL;

-- Months that month close has begun: nothing new may be dated into them.
CREATE TABLE closed_months (
  month date PRIMARY KEY,
  closed_at timestamptz NOT NULL DEFAULT now()
);
