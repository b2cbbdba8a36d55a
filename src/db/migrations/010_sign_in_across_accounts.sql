-- Sign-in across accounts. An email stays unique within an account only, and each user (an email in one
-- account) keeps its own password: a sign-in opens every user whose email and password it matches, never
-- the first row with that email. Users that already share an email across accounts are kept as they are,
-- each with its own password: nothing is merged, so no account gains, claims or loses another's user.

-- The users one sign-in opened; the session acts for one of them at a time (web_sessions.user_id), and
-- until the person chooses (account_chosen) it acts for none.
ALTER TABLE web_sessions ADD COLUMN account_chosen boolean NOT NULL DEFAULT true;
CREATE TABLE web_session_accounts (
  session_id uuid NOT NULL REFERENCES web_sessions (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES accounts (id),
  PRIMARY KEY (session_id, user_id)
);
CREATE INDEX web_session_accounts_user ON web_session_accounts (user_id);
INSERT INTO web_session_accounts (session_id, user_id, account_id)
  SELECT id, user_id, account_id FROM web_sessions WHERE ended_at IS NULL;

-- One scrypt salt per email, shared by the passwords of every user with that email: a sign-in then costs
-- one hash per distinct salt, not one per account that created a user with the email (older hashes keep
-- their own salts and cost one each).
CREATE TABLE sign_in_salts (
  email text PRIMARY KEY,
  salt text NOT NULL
);

-- Wrong passwords are counted per email and client address: another tenant (or anyone) failing on
-- purpose from its own address no longer locks the person out everywhere. Earlier counters start again.
DELETE FROM sign_in_failures;
ALTER TABLE sign_in_failures ADD COLUMN client text NOT NULL DEFAULT '';
ALTER TABLE sign_in_failures DROP CONSTRAINT sign_in_failures_pkey;
ALTER TABLE sign_in_failures ADD PRIMARY KEY (email, client);
