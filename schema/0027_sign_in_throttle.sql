-- Sign-in throttling (issue 17): failed sign-ins counted per account and
-- per client address, here so that every server process sees the same
-- counts. Keys are keyed hashes (HMAC-SHA256 under the client-address
-- key): an account's of its lower-cased e-mail, whether or not such a
-- user exists, so nothing records which e-mails were tried.
CREATE TABLE sign_in_failures (
    key            bytea PRIMARY KEY CHECK (length(key) = 32),
    kind           text NOT NULL CHECK (kind IN ('account', 'address')),
    failures       integer NOT NULL CHECK (failures >= 1),
    last_failed_at timestamptz NOT NULL,
    locked_until   timestamptz
);
