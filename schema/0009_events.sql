-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Durable events: tracked-link opens (open_link, record_open) and the
-- batches of POST /api/v1/events (ingest_events), both run by the
-- group-commit writers (server/db/writer.c).

-- Records an open of share @p_share; returns whether it was a bot's.
-- A person-looking open right after the share from an address that has
-- opened many different links in the last minute is a scanner sweeping a
-- mailbox. The first open by a person notifies the rep who shared.
CREATE FUNCTION record_open(p_share uuid, p_hash bytea, p_ua text, p_bot text,
                                       p_at timestamptz DEFAULT now()) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    s shares;
    burst boolean := false;
    bot boolean;
BEGIN
    SELECT * INTO s FROM shares WHERE id = p_share;
    IF p_bot IS NULL AND p_hash IS NOT NULL AND p_at - s.created_at < interval '10 seconds' THEN
        burst := (SELECT count(DISTINCT o.share_id) FROM opens o
                  WHERE o.client_hash = p_hash AND o.at > p_at - interval '1 minute') >= 5;
    END IF;
    bot := p_bot IS NOT NULL OR burst;
    INSERT INTO opens (share_id, at, client_hash, ua_class, is_bot, bot_reason)
    VALUES (p_share, p_at, p_hash, p_ua, bot,
            CASE WHEN burst THEN 'burst: many links from one address' ELSE p_bot END);
    IF NOT bot AND NOT EXISTS (SELECT 1 FROM notifications n
                               WHERE n.share_id = s.id AND n.kind = 'share_opened') THEN
        INSERT INTO notifications (user_id, kind, message, share_id)
        SELECT s.rep_id, 'share_opened',
               coalesce(s.recipient_email, (SELECT name FROM deals WHERE id = s.deal_id),
                        'Someone') || ' opened ' || (SELECT title FROM assets WHERE id = s.asset_id),
               s.id
        ON CONFLICT (share_id) WHERE kind = 'share_opened' DO NOTHING;
    END IF;
    RETURN bot;
END $$;

-- Downloads reported by other systems (and, later, by our own endpoints).
CREATE TABLE downloads (
    id       bigint GENERATED ALWAYS AS IDENTITY,
    asset_id uuid NOT NULL,
    user_id  uuid,
    at       timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);
CREATE TABLE downloads_default PARTITION OF downloads DEFAULT;
CREATE INDEX downloads_at ON downloads USING brin (at);
CREATE INDEX downloads_asset ON downloads (asset_id, at);
SELECT ensure_month_partitions('downloads', now(), 3);

-- The client ids of ingested events: a second event with an id seen
-- before is a duplicate, counted and not stored again.
CREATE TABLE ingested_events (
    id          text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- Applies one event (already shape-checked by the server); NULL when it
-- was stored, else the reason it was refused ('code:detail').
CREATE FUNCTION ingest_event(e jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz := coalesce((e->>'at')::timestamptz, now());
    d uuid;
    a uuid;
    u uuid;
    sh shares;
    st text;
BEGIN
    IF e ? 'deal_id' THEN
        SELECT id INTO d FROM deals WHERE id = (e->>'deal_id')::uuid;
        IF d IS NULL THEN RETURN 'not_found:no deal ' || (e->>'deal_id'); END IF;
    ELSIF e ? 'deal_external_id' THEN
        SELECT id INTO d FROM deals WHERE external_id = e->>'deal_external_id';
        IF d IS NULL THEN RETURN 'not_found:no deal ' || (e->>'deal_external_id'); END IF;
    END IF;
    IF e ? 'asset_id' THEN
        SELECT id INTO a FROM assets WHERE id = (e->>'asset_id')::uuid;
        IF a IS NULL THEN RETURN 'not_found:no asset ' || (e->>'asset_id'); END IF;
    END IF;
    CASE e->>'type'
    WHEN 'share' THEN
        SELECT id INTO u FROM users WHERE email = lower(e->>'rep_email') AND active;
        IF u IS NULL THEN RETURN 'not_found:no user ' || (e->>'rep_email'); END IF;
        INSERT INTO shares (token, asset_id, version, deal_id, rep_id, channel, recipient_email,
                            created_at)
        SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), -- 244 random bits
               a, (SELECT current_version FROM assets WHERE id = a), d, u,
               coalesce(e->>'channel', 'other'), e->>'recipient_email', at;
    WHEN 'open' THEN
        IF e ? 'share_id' THEN
            SELECT * INTO sh FROM shares WHERE id = (e->>'share_id')::uuid;
        ELSE
            SELECT * INTO sh FROM shares WHERE token = e->>'token';
        END IF;
        IF sh.id IS NULL THEN RETURN 'not_found:no share'; END IF;
        PERFORM record_open(sh.id, NULL, 'ingested', NULL, at);
    WHEN 'download' THEN
        IF e ? 'user_email' THEN
            SELECT id INTO u FROM users WHERE email = lower(e->>'user_email');
            IF u IS NULL THEN RETURN 'not_found:no user ' || (e->>'user_email'); END IF;
        END IF;
        INSERT INTO downloads (asset_id, user_id, at) VALUES (a, u, at);
    WHEN 'stage_change' THEN
        st := resolve_stage(e->>'stage');
        IF st IS NULL THEN RETURN 'invalid_field:no stage or alias ' || (e->>'stage'); END IF;
        IF d IS NULL THEN RETURN 'missing_field:deal_id or deal_external_id'; END IF;
        PERFORM 1 FROM deals WHERE id = d FOR UPDATE;
        PERFORM deal_enter_stage(d, st, at, 'ingest');
    ELSE
        RETURN 'invalid_field:unknown type';
    END CASE;
    RETURN NULL;
END $$;

-- A batch: {"accepted": n, "duplicates": n, "rejected": [{index, code,
-- detail}]}. Downloads, most of what trackers send, are applied set-based
-- in one statement; the other types one by one, each in a subtransaction,
-- so a refused event leaves no trace (not even its id: it may be sent
-- again, corrected). Ids are compared as uuids (the server checked their
-- shape), so primary keys are used. enable_nestloop is off because the
-- planner expects one row out of jsonb_array_elements and would join
-- 1,000 x 1,000 rows in a loop.
CREATE FUNCTION ingest_events(events jsonb, actor uuid) RETURNS jsonb
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    e jsonb;
    i integer := 0;
    accepted integer := 0;
    duplicates integer := 0;
    rejected jsonb := '[]';
    why text;
    bulk record;
BEGIN
    PERFORM set_config('nextstage.actor', coalesce(actor::text, ''), true);
    -- Downloads, all at once: the first event of each id that names a
    -- known asset (and user) and was not ingested before is stored.
    WITH d AS (
        SELECT t.n - 1 AS idx, t.e->>'id' AS id, a.id AS asset, u.id AS usr,
               t.e ? 'user_email' AS named_user,
               coalesce((t.e->>'at')::timestamptz, now()) AS at,
               row_number() OVER (PARTITION BY t.e->>'id' ORDER BY t.n) AS nth
        FROM jsonb_array_elements(events) WITH ORDINALITY AS t(e, n)
        LEFT JOIN assets a ON a.id = (t.e->>'asset_id')::uuid
        LEFT JOIN users u ON u.email = lower(t.e->>'user_email')
        WHERE t.e->>'type' = 'download'),
    bad AS (SELECT * FROM d WHERE nth = 1 AND (asset IS NULL OR (named_user AND usr IS NULL))),
    good AS (SELECT * FROM d WHERE nth = 1 AND asset IS NOT NULL AND (NOT named_user OR usr IS NOT NULL)),
    fresh AS (INSERT INTO ingested_events (id, type) SELECT id, 'download' FROM good
              ON CONFLICT DO NOTHING RETURNING id),
    stored AS (INSERT INTO downloads (asset_id, user_id, at)
               SELECT g.asset, g.usr, g.at FROM good g JOIN fresh f ON f.id = g.id RETURNING 1)
    SELECT (SELECT count(*) FROM stored) AS stored,
           (SELECT count(*) FROM d) - (SELECT count(*) FROM bad) - (SELECT count(*) FROM stored)
               AS dups,
           coalesce((SELECT jsonb_agg(jsonb_build_object('index', idx, 'code', 'not_found',
                         'detail', CASE WHEN asset IS NULL THEN 'no such asset'
                                        ELSE 'no such user' END) ORDER BY idx) FROM bad), '[]')
               AS refused
    INTO bulk;
    accepted := bulk.stored;
    duplicates := bulk.dups;
    rejected := bulk.refused;
    FOR e IN SELECT * FROM jsonb_array_elements(events) LOOP
        IF e->>'type' IS DISTINCT FROM 'download' THEN
            BEGIN
                INSERT INTO ingested_events (id, type) VALUES (e->>'id', e->>'type')
                    ON CONFLICT DO NOTHING;
                IF NOT FOUND THEN
                    duplicates := duplicates + 1;
                ELSE
                    why := ingest_event(e);
                    IF why IS NULL THEN
                        accepted := accepted + 1;
                    ELSE
                        RAISE EXCEPTION USING MESSAGE = why, ERRCODE = 'NS001';
                    END IF;
                END IF;
            EXCEPTION
                WHEN sqlstate 'NS001' THEN
                    rejected := rejected || jsonb_build_object('index', i,
                        'code', split_part(SQLERRM, ':', 1),
                        'detail', substr(SQLERRM, length(split_part(SQLERRM, ':', 1)) + 2));
                WHEN others THEN
                    rejected := rejected || jsonb_build_object('index', i,
                        'code', 'invalid_field', 'detail', SQLERRM);
            END;
        END IF;
        i := i + 1;
    END LOOP;
    RETURN jsonb_build_object('accepted', accepted, 'duplicates', duplicates,
                              'rejected', rejected);
END $$;

-- A tracked-link request in one statement, run by the group-commit
-- writer: find the share by token, record the open if the link is live,
-- and say what to serve. Returns 'missing', 'gone', or the target as JSON
-- {id, url} for a link asset or {id, blob, size, version, sha256, mime,
-- filename} for a file. One round trip per open, inside the batch.
CREATE FUNCTION open_link(p_token text, p_hash bytea, p_ua text, p_bot text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s shares;
    target jsonb;
BEGIN
    SELECT * INTO s FROM shares WHERE token = p_token;
    IF s.id IS NULL THEN
        RETURN 'missing';
    END IF;
    IF s.revoked_at IS NOT NULL OR s.expires_at < now() THEN
        RETURN 'gone';
    END IF;
    PERFORM record_open(s.id, p_hash, p_ua, p_bot);
    SELECT CASE WHEN a.url IS NOT NULL THEN jsonb_build_object('id', s.id, 'url', a.url)
           ELSE jsonb_build_object('id', s.id, 'blob', v.blob_id, 'size', b.size,
                'version', v.number, 'sha256', encode(b.sha256, 'hex'), 'mime', v.mime,
                'filename', v.filename) END
    INTO target
    FROM assets a
    LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = s.version
    LEFT JOIN blobs b ON b.id = v.blob_id
    WHERE a.id = s.asset_id;
    RETURN target::text;
END $$;
