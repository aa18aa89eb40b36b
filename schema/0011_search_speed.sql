-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Search speed (issue 3).

-- Planning a search took ~1.2 ms of its ~1.7 ms in one place: estimating
-- "title %> q". pg_trgm's estimator (matchingsel) runs word_similarity()
-- on every most-common value and histogram entry of assets.title (~200 of
-- them) at every plan, and the search statement is planned at every
-- execution. Titles are nearly unique, so those statistics buy no better
-- plan: they are no longer collected, and the trigram condition gets the
-- default estimate (planning the match: 1.19 ms -> 0.05 ms; the plan is
-- the same BitmapAnd/BitmapOr of the GIN indexes).
ALTER TABLE assets ALTER COLUMN title SET STATISTICS 0;
-- ANALYZE leaves the statistics it no longer gathers in place; only a
-- change of type drops them. To the same type it rewrites nothing and
-- keeps the indexes; the search-document trigger names the column, so it
-- is set aside meanwhile (same definition as in 0003).
DROP TRIGGER assets_search ON assets;
ALTER TABLE assets ALTER COLUMN title TYPE text;
CREATE TRIGGER assets_search BEFORE INSERT OR UPDATE OF title, description, tags, personas, stages,
    search ON assets FOR EACH ROW EXECUTE FUNCTION asset_search_doc();

-- The search statement is planned once per connection (server/db/search.c):
-- its index conditions must be there whatever the filters. So the persona,
-- stage and tag filters become lexemes of the search document, which the
-- query can always name: '#p=<persona>', '#s=<stage>', '#t=<tag>', and
-- '#all' in every document (for no filter). Typed words never reach them
-- (the handler keeps letters and digits only), and '=' rather than ':'
-- keeps them from looking like pgbench variables in make bench's copy of
-- the statement. They have no position, so ts_rank of the words is what
-- it was. One GIN index over the document and the title's trigrams serves
-- both branches of a search: the words with the filters, and a title like
-- the words with the filters.
CREATE OR REPLACE FUNCTION asset_search_doc() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search :=
        setweight(to_tsvector('english', NEW.title), 'A') ||
        setweight(to_tsvector('english', array_to_string(NEW.tags, ' ') || ' ' ||
            coalesce((SELECT string_agg(name, ' ') FROM personas WHERE slug = ANY (NEW.personas)), '')
            || ' ' ||
            coalesce((SELECT string_agg(name, ' ') FROM stages WHERE slug = ANY (NEW.stages)), '')),
            'B') ||
        setweight(to_tsvector('english', NEW.description), 'C') ||
        array_to_tsvector('{#all}'
            || ARRAY(SELECT '#p=' || x FROM unnest(NEW.personas) x)
            || ARRAY(SELECT '#s=' || x FROM unnest(NEW.stages) x)
            || ARRAY(SELECT '#t=' || x FROM unnest(NEW.tags) x));
    RETURN NEW;
END $$;
UPDATE assets SET search = NULL; -- re-derived by the trigger

CREATE INDEX assets_match ON assets USING gin (search, title gin_trgm_ops);
DROP INDEX assets_search_idx, assets_title_trgm, assets_personas, assets_stages, assets_tags;

-- The API's JSON of a version and of an asset, as expressions over rows
-- the caller has already joined: no subquery, so PostgreSQL inlines them
-- and a search page runs no SQL function (asset_json() planned and ran
-- a subquery and version_json() per item). json, not jsonb: search only
-- passes the text on, and json_build_object/json_agg append text where
-- the jsonb ones build, sort and walk a tree (a page of 20 items:
-- 0.9 ms -> 0.16 ms of CPU). The 1-argument functions of 0003 keep their
-- signatures and now come from these, so the shape is written once.
CREATE FUNCTION version_json(v asset_versions, b blobs) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('number', v.number, 'sha256', encode(b.sha256, 'hex'),
        'size', b.size, 'mime', v.mime, 'filename', v.filename, 'created_by', v.created_by,
        'created_at', rfc3339(v.created_at))
$$;

-- @score is search's relevance or sort key; asset_json(a) drops it.
CREATE FUNCTION asset_json(a assets, current_version json, score numeric) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', a.id, 'title', a.title, 'description', a.description,
        'kind', a.kind, 'intent', a.intent, 'personas', a.personas, 'stages', a.stages,
        'tags', a.tags, 'status', a.status, 'public', a.public, 'gated', a.gated,
        'disclosure', a.disclosure, 'owner', a.owner, 'expires_at', rfc3339(a.expires_at),
        'source', a.source, 'url', a.url, 'current_version', current_version,
        'created_at', rfc3339(a.created_at), 'updated_at', rfc3339(a.updated_at),
        'score', score)
$$;

CREATE OR REPLACE FUNCTION version_json(v asset_versions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT version_json(v, b)::jsonb FROM blobs b WHERE b.id = v.blob_id
$$;

CREATE OR REPLACE FUNCTION asset_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a, (SELECT version_json(v, b) FROM asset_versions v
                          JOIN blobs b ON b.id = v.blob_id
                          WHERE v.asset_id = a.id AND v.number = a.current_version),
                      NULL)::jsonb - 'score'
$$;
