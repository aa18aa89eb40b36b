-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- The content library: assets with their taxonomy, versions, the blob
-- store, search, and the record of searches.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The search document is derived data: it stays out of the audit trail,
-- and an update that changes nothing else is not a change.
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b jsonb;
    a jsonb;
    key text := TG_ARGV[0];
BEGIN
    IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'password_hash' - 'token_hash' - 'search'; END IF;
    IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'password_hash' - 'token_hash' - 'search'; END IF;
    IF TG_OP = 'UPDATE' AND a = b THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit (actor, action, entity, entity_id, before, after)
    VALUES (nullif(current_setting('nextstage.actor', true), '')::uuid,
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            TG_TABLE_NAME, coalesce(a, b) ->> key, b, a);
    RETURN NULL;
END $$;

-- personas and stages are kept on the row (sorted: personas by slug,
-- stages by position) so that the audit trail shows them; the tables
-- asset_personas and asset_stages mirror them for referential integrity.
ALTER TABLE assets
    ADD COLUMN description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    ADD COLUMN kind text NOT NULL DEFAULT 'other' CHECK (kind IN ('guide', 'ebook',
        'whitepaper', 'case_study', 'product_sheet', 'one_pager', 'deck', 'battlecard', 'video',
        'webinar', 'blog_post', 'template', 'other')),
    ADD COLUMN intent text NOT NULL DEFAULT 'educational'
        CHECK (intent IN ('educational', 'sales')),
    ADD COLUMN personas text[] NOT NULL DEFAULT '{}',
    ADD COLUMN stages text[] NOT NULL DEFAULT '{}',
    ADD COLUMN tags text[] NOT NULL DEFAULT '{}',
    ADD COLUMN public boolean NOT NULL DEFAULT false,
    ADD COLUMN gated boolean NOT NULL DEFAULT false,
    ADD COLUMN disclosure text CHECK (length(disclosure) BETWEEN 1 AND 2000),
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN source text CHECK (length(source) BETWEEN 1 AND 200),
    ADD COLUMN url text CHECK (url ~ '^https?://[^[:space:]]+$' AND length(url) <= 2000),
    ADD COLUMN current_version integer,
    ADD COLUMN search tsvector,
    ADD CONSTRAINT assets_gated_needs_disclosure
        CHECK (NOT gated OR (public AND disclosure IS NOT NULL)),
    ADD CONSTRAINT assets_file_or_url CHECK (url IS NULL OR current_version IS NULL);

CREATE FUNCTION asset_sync_taxonomy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM asset_personas WHERE asset_id = NEW.id AND persona <> ALL (NEW.personas);
    INSERT INTO asset_personas (asset_id, persona)
        SELECT NEW.id, unnest(NEW.personas) ON CONFLICT DO NOTHING;
    DELETE FROM asset_stages WHERE asset_id = NEW.id AND stage <> ALL (NEW.stages);
    INSERT INTO asset_stages (asset_id, stage)
        SELECT NEW.id, unnest(NEW.stages) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER assets_taxonomy AFTER INSERT OR UPDATE OF personas, stages ON assets
    FOR EACH ROW EXECUTE FUNCTION asset_sync_taxonomy();

-- Content-addressed bytes. A blob row is created empty when an upload
-- starts (sha256 NULL) and sealed with its digest in the same transaction
-- that records the version, so an unfinished upload is never visible.
CREATE TABLE blobs (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256     bytea UNIQUE CHECK (length(sha256) = 32),
    size       bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_chunks (
    blob_id bigint NOT NULL REFERENCES blobs ON DELETE CASCADE,
    n       integer NOT NULL CHECK (n >= 0),
    data    bytea NOT NULL,
    PRIMARY KEY (blob_id, n)
);
-- PDFs, Office files and images are compressed already.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE asset_versions (
    asset_id   uuid NOT NULL REFERENCES assets ON DELETE RESTRICT,
    number     integer NOT NULL CHECK (number >= 1),
    blob_id    bigint NOT NULL REFERENCES blobs ON DELETE RESTRICT,
    mime       text NOT NULL,
    filename   text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    created_by uuid REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (asset_id, number)
);
CREATE INDEX asset_versions_blob ON asset_versions (blob_id);
CREATE TRIGGER asset_versions_audit AFTER INSERT OR UPDATE OR DELETE ON asset_versions
    FOR EACH ROW EXECUTE FUNCTION audit_row('asset_id');

ALTER TABLE assets ADD CONSTRAINT assets_current_version
    FOREIGN KEY (id, current_version) REFERENCES asset_versions (asset_id, number)
    DEFERRABLE INITIALLY DEFERRED;

-- Search: title (A), tags and persona and stage names (B), description (C).
CREATE FUNCTION asset_search_doc() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search :=
        setweight(to_tsvector('english', NEW.title), 'A') ||
        setweight(to_tsvector('english', array_to_string(NEW.tags, ' ') || ' ' ||
            coalesce((SELECT string_agg(name, ' ') FROM personas WHERE slug = ANY (NEW.personas)), '')
            || ' ' ||
            coalesce((SELECT string_agg(name, ' ') FROM stages WHERE slug = ANY (NEW.stages)), '')),
            'B') ||
        setweight(to_tsvector('english', NEW.description), 'C');
    RETURN NEW;
END $$;
CREATE TRIGGER assets_search BEFORE INSERT OR UPDATE OF title, description, tags, personas, stages,
    search ON assets FOR EACH ROW EXECUTE FUNCTION asset_search_doc();

-- A renamed persona or stage re-derives the documents that name it.
CREATE FUNCTION taxonomy_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        IF TG_TABLE_NAME = 'personas' THEN
            UPDATE assets SET search = NULL WHERE personas @> ARRAY[NEW.slug];
        ELSE
            UPDATE assets SET search = NULL WHERE stages @> ARRAY[NEW.slug];
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER personas_renamed AFTER UPDATE OF name ON personas
    FOR EACH ROW EXECUTE FUNCTION taxonomy_renamed();
CREATE TRIGGER stages_renamed AFTER UPDATE OF name ON stages
    FOR EACH ROW EXECUTE FUNCTION taxonomy_renamed();

CREATE INDEX assets_search_idx ON assets USING gin (search);
CREATE INDEX assets_title_trgm ON assets USING gin (title gin_trgm_ops);
CREATE INDEX assets_personas ON assets USING gin (personas);
CREATE INDEX assets_stages ON assets USING gin (stages);
CREATE INDEX assets_tags ON assets USING gin (tags);
CREATE INDEX assets_recent ON assets (created_at DESC, id DESC);

-- The API's JSON for versions and assets, built in one place.
CREATE FUNCTION version_json(v asset_versions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('number', v.number, 'sha256', encode(b.sha256, 'hex'),
        'size', b.size, 'mime', v.mime, 'filename', v.filename, 'created_by', v.created_by,
        'created_at', rfc3339(v.created_at))
    FROM blobs b WHERE b.id = v.blob_id
$$;

CREATE FUNCTION asset_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', a.id, 'title', a.title, 'description', a.description,
        'kind', a.kind, 'intent', a.intent, 'personas', to_jsonb(a.personas),
        'stages', to_jsonb(a.stages), 'tags', to_jsonb(a.tags), 'status', a.status,
        'public', a.public, 'gated', a.gated, 'disclosure', a.disclosure, 'owner', a.owner,
        'expires_at', rfc3339(a.expires_at), 'source', a.source, 'url', a.url,
        'current_version', (SELECT version_json(v) FROM asset_versions v
                            WHERE v.asset_id = a.id AND v.number = a.current_version),
        'created_at', rfc3339(a.created_at), 'updated_at', rfc3339(a.updated_at))
$$;

-- Every search, so that zero-result searches can show content gaps.
CREATE TABLE searches (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    user_id uuid REFERENCES users ON DELETE SET NULL,
    query   text NOT NULL,
    filters jsonb NOT NULL DEFAULT '{}',
    results integer NOT NULL CHECK (results >= 0)
);
CREATE INDEX searches_at ON searches USING brin (at);
CREATE INDEX searches_zero ON searches (query) WHERE results = 0;
