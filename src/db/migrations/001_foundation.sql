-- Accounts (a tree), API keys, users, invitations, idempotency records, and the monthly page roll-up.

CREATE TABLE accounts (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'channel', 'customer')),
  parent_id uuid REFERENCES accounts (id),
  -- '/<root id>/.../<own id>/': a descendant's path starts with its ancestor's path.
  path text NOT NULL,
  external_id text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  activated_at timestamptz,
  deactivated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'admin') = (parent_id IS NULL))
);
CREATE UNIQUE INDEX accounts_path ON accounts (path text_pattern_ops);
CREATE INDEX accounts_parent_name ON accounts (parent_id, name, id);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_prefix ON api_keys (prefix);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  name text,
  email text NOT NULL,
  locale text NOT NULL DEFAULT 'en',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_account ON users (account_id);

CREATE TABLE invitations (
  id uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id),
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invitations_account_email ON invitations (account_id, lower(email));

CREATE TABLE idempotency_keys (
  account_id uuid NOT NULL REFERENCES accounts (id),
  key text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, key)
);

-- Standard pages per account per UTC month, maintained in the same transaction as every ledger write,
-- so account figures (mtd/qtd/ytd/ltd) never scan deposits.
CREATE TABLE account_monthly_pages (
  account_id uuid NOT NULL REFERENCES accounts (id),
  month date NOT NULL,
  standard_pages bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, month)
);
