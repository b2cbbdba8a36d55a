-- Dashboard sign-in rows carry their account like every tenant-owned table (the user's account).

ALTER TABLE user_passwords ADD COLUMN account_id uuid REFERENCES accounts (id);
UPDATE user_passwords p SET account_id = u.account_id FROM users u WHERE u.id = p.user_id;
ALTER TABLE user_passwords ALTER COLUMN account_id SET NOT NULL;

ALTER TABLE web_sessions ADD COLUMN account_id uuid REFERENCES accounts (id);
UPDATE web_sessions s SET account_id = u.account_id FROM users u WHERE u.id = s.user_id;
ALTER TABLE web_sessions ALTER COLUMN account_id SET NOT NULL;
CREATE INDEX web_sessions_account ON web_sessions (account_id);
