-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Public asset pages (/p/{id}): their views and downloads, and the leads
-- that gated assets collect.

-- Views and downloads of public pages. Events like tracked-link opens
-- (partitioned by month, BRIN on time, the client address only as a keyed
-- hash, bots marked by the same rules) but of no share: they never count
-- as one, so the unused-content analytics, which go by shares, ignore them.
CREATE TABLE page_views (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    asset_id    uuid NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL CHECK (kind IN ('view', 'download')),
    client_hash bytea,
    ua_class    text NOT NULL,
    is_bot      boolean NOT NULL,
    bot_reason  text
) PARTITION BY RANGE (at);
CREATE TABLE page_views_default PARTITION OF page_views DEFAULT;
CREATE INDEX page_views_at ON page_views USING brin (at);
CREATE INDEX page_views_asset ON page_views (asset_id, kind, is_bot);
SELECT ensure_month_partitions('page_views', now(), 3);

-- DESIGN.md: sales_ready for sales-intent content with consent, else nurture.
CREATE FUNCTION lead_readiness(intent text, consent boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN consent AND intent = 'sales' THEN 'sales_ready' ELSE 'nurture' END
$$;

-- A prospect's details left on a gated asset's page, with the disclosure
-- text they were shown and the choice they made. One current lead per
-- asset and email (case-insensitive): a new submission replaces it (the
-- latest choice wins) and the old one is kept with replaced_at set.
CREATE TABLE leads (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    asset_id    uuid NOT NULL REFERENCES assets,
    version     integer, -- the version served; NULL for a link asset
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    company     text CHECK (length(company) BETWEEN 1 AND 200),
    consent     boolean NOT NULL,
    disclosure  text NOT NULL,
    intent      text NOT NULL,
    readiness   text NOT NULL,
    client_hash bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    replaced_at timestamptz,
    FOREIGN KEY (asset_id, version) REFERENCES asset_versions (asset_id, number),
    CONSTRAINT leads_readiness CHECK (readiness = lead_readiness(intent, consent))
);
CREATE UNIQUE INDEX leads_current ON leads (asset_id, lower(email)) WHERE replaced_at IS NULL;
CREATE INDEX leads_recent ON leads (created_at DESC, id DESC) WHERE replaced_at IS NULL;

-- The API's JSON of a lead (never its client hash).
CREATE FUNCTION lead_json(l leads) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', l.id, 'asset_id', l.asset_id,
        'asset_title', (SELECT title FROM assets WHERE id = l.asset_id), 'version', l.version,
        'name', l.name, 'email', l.email, 'company', l.company, 'consent', l.consent,
        'disclosure', l.disclosure, 'intent', l.intent, 'readiness', l.readiness,
        'created_at', rfc3339(l.created_at))
$$;

-- Whether asset @a has a public page: 'live'; 'gone' when retired, or
-- published and past expires_at; 'missing' when absent (a row of NULLs),
-- not public, a draft or archived (so nothing tells it exists).
CREATE FUNCTION public_state(a assets) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.id IS NULL OR NOT a.public OR a.status IN ('draft', 'archived')
                THEN 'missing'
                WHEN a.status = 'retired' OR a.expires_at <= now() THEN 'gone'
                ELSE 'live' END
$$;

-- Hex SHA-256 of a disclosure text: the form carries the one it showed, so
-- that a lead never records a text its author did not see.
CREATE FUNCTION disclosure_sha256(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex')
$$;

-- What the public page of @a shows.
CREATE FUNCTION public_page_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', a.id, 'title', a.title, 'description', a.description,
        'kind', a.kind, 'gated', a.gated, 'disclosure', a.disclosure,
        'disclosure_sha256', disclosure_sha256(a.disclosure), 'link', a.url IS NOT NULL,
        'filename', v.filename, 'size', b.size)
    FROM (SELECT 1) one
    LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = a.current_version
    LEFT JOIN blobs b ON b.id = v.blob_id
$$;

-- Where @a's content is, as open_links() says it for a share: {url} for a
-- link asset, else {blob, size, version, sha256, mime, filename} of its
-- current version.
CREATE FUNCTION asset_target_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.url IS NOT NULL THEN jsonb_build_object('url', a.url)
        ELSE (SELECT jsonb_build_object('blob', v.blob_id, 'size', b.size, 'version', v.number,
                  'sha256', encode(b.sha256, 'hex'), 'mime', v.mime, 'filename', v.filename)
              FROM asset_versions v JOIN blobs b ON b.id = v.blob_id
              WHERE v.asset_id = a.id AND v.number = a.current_version) END
$$;

-- A request to a public page (@p_kind 'view': GET /p/{id}) or its file
-- ('download': GET /p/{id}/file), recorded in page_views with the keyed
-- hash of the client address @p_hash, the User-Agent class @p_ua and the
-- bot reason the server found (@p_bot, NULL: a person). Returns 'missing'
-- or 'gone' (public_state; nothing recorded), 'gated' for the file of a
-- gated asset (only its form gives it; nothing recorded), else the page
-- (public_page_json) or the target (asset_target_json) as JSON text.
CREATE FUNCTION public_hit(p_asset uuid, p_kind text, p_hash bytea, p_ua text, p_bot text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    a assets;
    state text;
BEGIN
    SELECT * INTO a FROM assets WHERE id = p_asset;
    state := public_state(a);
    IF state <> 'live' THEN
        RETURN state;
    END IF;
    IF p_kind = 'download' AND a.gated THEN
        RETURN 'gated';
    END IF;
    INSERT INTO page_views (asset_id, kind, client_hash, ua_class, is_bot, bot_reason)
    VALUES (a.id, p_kind, p_hash, p_ua, p_bot IS NOT NULL, p_bot);
    RETURN (CASE p_kind WHEN 'view' THEN public_page_json(a) ELSE asset_target_json(a) END)::text;
END $$;

-- A gated asset's form, sent: @p_lead {name, email, company?, consent:
-- 'yes'|'no', disclosure_sha256?} (checked by the server). Records the
-- lead with the asset's current disclosure, intent and version, replacing
-- the current lead of the same asset and email, and a download in
-- page_views as public_hit(). Returns 'missing' or 'gone' (public_state),
-- 'not_gated' (the asset has no form), 'disclosure_changed' (the form
-- showed another disclosure than the current one: nothing recorded), else
-- the target (asset_target_json) as JSON text.
CREATE FUNCTION record_lead(p_asset uuid, p_lead jsonb, p_hash bytea, p_ua text, p_bot text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    a assets;
    state text;
    consent boolean := p_lead->>'consent' = 'yes';
BEGIN
    SELECT * INTO a FROM assets WHERE id = p_asset;
    state := public_state(a);
    IF state <> 'live' THEN
        RETURN state;
    END IF;
    IF NOT a.gated THEN
        RETURN 'not_gated';
    END IF;
    IF p_lead->>'disclosure_sha256' <> disclosure_sha256(a.disclosure) THEN
        RETURN 'disclosure_changed';
    END IF;
    -- Two submissions of one address at once take turns (each statement
    -- of this function sees what the other committed).
    PERFORM pg_advisory_xact_lock(hashtextextended(a.id::text || lower(p_lead->>'email'), 15));
    UPDATE leads SET replaced_at = now()
    WHERE asset_id = a.id AND lower(email) = lower(p_lead->>'email') AND replaced_at IS NULL;
    INSERT INTO leads (asset_id, version, name, email, company, consent, disclosure, intent,
                       readiness, client_hash)
    VALUES (a.id, a.current_version, p_lead->>'name', p_lead->>'email', p_lead->>'company',
            consent, a.disclosure, a.intent, lead_readiness(a.intent, consent), p_hash);
    INSERT INTO page_views (asset_id, kind, client_hash, ua_class, is_bot, bot_reason)
    VALUES (a.id, 'download', p_hash, p_ua, p_bot IS NOT NULL, p_bot);
    RETURN asset_target_json(a)::text;
END $$;

-- An asset's public page in numbers: views and downloads (from the page
-- or its form), all and by people; current leads, and how many of them
-- are sales-ready.
CREATE FUNCTION asset_public_json(asset uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('views', v.views, 'human_views', v.human_views,
        'downloads', v.downloads, 'human_downloads', v.human_downloads,
        'leads', l.leads, 'sales_ready_leads', l.sales_ready)
    FROM (SELECT count(*) FILTER (WHERE kind = 'view') AS views,
                 count(*) FILTER (WHERE kind = 'view' AND NOT is_bot) AS human_views,
                 count(*) FILTER (WHERE kind = 'download') AS downloads,
                 count(*) FILTER (WHERE kind = 'download' AND NOT is_bot) AS human_downloads
          FROM page_views WHERE asset_id = asset) v,
         (SELECT count(*) AS leads, count(*) FILTER (WHERE readiness = 'sales_ready') AS sales_ready
          FROM leads WHERE asset_id = asset AND replaced_at IS NULL) l
$$;

-- One asset as the API shows it alone: with its usage, feedback and now
-- its public page's numbers (0013's fields unchanged).
CREATE OR REPLACE FUNCTION asset_detail_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a) || jsonb_build_object('usage', asset_usage_json(a.id),
                                               'feedback', feedback_summary_json(a.id),
                                               'public_page', asset_public_json(a.id))
$$;
