-- Single sign-on with OpenID Connect (issue 17): a sign-in under way
-- between GET /api/v1/sso/start and the provider's callback, kept here so
-- that any server process can finish it, and taken once (a replayed state
-- finds nothing). Only the SHA-256 of the state is stored; the nonce and
-- PKCE's verifier are secrets for ten minutes at most.
CREATE TABLE sso_attempts (
    state_hash bytea PRIMARY KEY CHECK (length(state_hash) = 32),
    nonce      text NOT NULL CHECK (length(nonce) BETWEEN 16 AND 128),
    verifier   text NOT NULL CHECK (length(verifier) BETWEEN 43 AND 128),
    next       text NOT NULL CHECK (next ~ '^/' AND length(next) <= 1024),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sso_attempts_expiry ON sso_attempts (expires_at);

-- Users that single sign-on created have no password: they can't sign in
-- with one (a NULL hash never verifies) until an admin or they set one.
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
