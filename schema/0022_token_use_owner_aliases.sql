-- An API token's last use, and what a CRM calls the people who own deals.
--
-- last_used_at is written by the server in the background
-- (server/db/tokens.c), at most about once a minute per token: it is a
-- hint for people deciding which tokens to revoke, not an audit record.
-- Updates of it alone are neither audited nor announced to the credential
-- caches (schema/functions/audit_row.sql, notify_auth_change.sql).
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;

-- Owner aliases: a name (or e-mail) as a CRM export writes a deal's owner,
-- mapped to a user, for the imports' owners that match no user by e-mail
-- or full name. @folded is the name as imports compare names (lowercase,
-- accents and extra spaces aside: imp_fold_name() in
-- server/util/import_values.c), so "JOSÉ  Álvarez" and "jose alvarez" are
-- one alias; @alias is the name as it was last written.
CREATE TABLE owner_aliases (
    folded     text PRIMARY KEY CHECK (length(folded) BETWEEN 1 AND 300),
    alias      text NOT NULL CHECK (length(alias) BETWEEN 1 AND 300),
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX owner_aliases_user ON owner_aliases (user_id);
