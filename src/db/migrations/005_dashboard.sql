-- Dashboard sign-in: user passwords, one-time set-password links, cookie sessions, failed sign-in counters.

CREATE TABLE user_passwords (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  -- 'scrypt$N$r$p$<salt b64>$<hash b64>': the parameters travel with the hash so they can be raised later.
  password_hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A link that lets its holder set the user's password once, before it expires. Only a hash of the token is kept.
CREATE TABLE password_links (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX password_links_user ON password_links (user_id);

CREATE TABLE web_sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  -- Sent back to the page (not a cookie) and required in X-CSRF-Token on every write made with the cookie.
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Wrong passwords per email address (lower-cased), to slow down guessing.
CREATE TABLE sign_in_failures (
  email text PRIMARY KEY,
  failures integer NOT NULL,
  last_failure_at timestamptz NOT NULL
);
