-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- 0001: users, sessions, API tokens, taxonomy (personas, stages), the audit
-- trail, and the asset tag tables that taxonomy deletes must respect.
-- A landed migration is never edited: add 0002_... instead.

-- RFC 3339 UTC text for a timestamp, as the API shows times.
CREATE FUNCTION rfc3339(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role          text NOT NULL CHECK (role IN ('rep', 'marketer', 'admin')),
    board         boolean NOT NULL DEFAULT false,
    active        boolean NOT NULL DEFAULT true,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email ON users (email);

-- Only SHA-256 digests of session and API tokens are stored.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE personas (
    slug        text PRIMARY KEY CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stages (
    slug     text PRIMARY KEY CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position integer NOT NULL CHECK (position > 0),
    outcome  text CHECK (outcome IN ('won', 'lost')),
    CONSTRAINT stages_position UNIQUE (position) DEFERRABLE INITIALLY DEFERRED
);

INSERT INTO stages (slug, name, position, outcome) VALUES
    ('prospecting', 'Prospecting', 1, NULL),
    ('discovery', 'Discovery', 2, NULL),
    ('evaluation', 'Evaluation', 3, NULL),
    ('proposal', 'Proposal', 4, NULL),
    ('negotiation', 'Negotiation', 5, NULL),
    ('closed_won', 'Closed won', 6, 'won'),
    ('closed_lost', 'Closed lost', 7, 'lost');

-- Assets are built out by the content library; the tag tables exist now so
-- that a persona or stage in use cannot be deleted (ON DELETE RESTRICT).
CREATE TABLE assets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    status     text NOT NULL DEFAULT 'draft'
               CHECK (status IN ('draft', 'published', 'archived', 'retired')),
    owner      uuid REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE asset_personas (
    asset_id uuid NOT NULL REFERENCES assets ON DELETE CASCADE,
    persona  text NOT NULL REFERENCES personas ON UPDATE CASCADE ON DELETE RESTRICT,
    PRIMARY KEY (asset_id, persona)
);
CREATE INDEX asset_personas_persona ON asset_personas (persona);

CREATE TABLE asset_stages (
    asset_id uuid NOT NULL REFERENCES assets ON DELETE CASCADE,
    stage    text NOT NULL REFERENCES stages ON UPDATE CASCADE ON DELETE RESTRICT,
    PRIMARY KEY (asset_id, stage)
);
CREATE INDEX asset_stages_stage ON asset_stages (stage);

-- Every change to an audited table, with who made it. The actor comes from
-- the transaction setting nextstage.actor (db_tx sets it).
CREATE TABLE audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     uuid,
    action    text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entity    text NOT NULL,
    entity_id text NOT NULL,
    before    jsonb,
    after     jsonb
);
CREATE INDEX audit_entity ON audit (entity, entity_id, at);

CREATE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b jsonb;
    a jsonb;
    key text := TG_ARGV[0];
BEGIN
    -- Secrets' digests stay out of the trail.
    IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'password_hash' - 'token_hash'; END IF;
    IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'password_hash' - 'token_hash'; END IF;
    IF TG_OP = 'UPDATE' AND to_jsonb(OLD) = to_jsonb(NEW) THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit (actor, action, entity, entity_id, before, after)
    VALUES (nullif(current_setting('nextstage.actor', true), '')::uuid,
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            TG_TABLE_NAME, coalesce(a, b) ->> key, b, a);
    RETURN NULL;
END $$;

CREATE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER personas_audit AFTER INSERT OR UPDATE OR DELETE ON personas
    FOR EACH ROW EXECUTE FUNCTION audit_row('slug');
CREATE TRIGGER stages_audit AFTER INSERT OR UPDATE OR DELETE ON stages
    FOR EACH ROW EXECUTE FUNCTION audit_row('slug');
CREATE TRIGGER assets_audit AFTER INSERT OR UPDATE OR DELETE ON assets
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER api_tokens_audit AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
