-- Durable events: tracked-link opens (recorded by record_open) and the
-- batches of POST /api/v1/events (ingest_events), both run by the
-- group-commit writer (server/db/writer.c).

-- Records an open of share @share_id; returns whether it was a bot's.
-- A person-looking open right after the share from an address that has
-- opened many different links in the last minute is a scanner sweeping a
-- mailbox. The first open by a person notifies the rep who shared.
CREATE FUNCTION record_open(p_share uuid, p_hash bytea, p_ua text, p_bot text,
                            p_at timestamptz DEFAULT now()) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    s shares;
    burst boolean;
    bot boolean;
BEGIN
    SELECT * INTO s FROM shares WHERE id = p_share;
    burst := p_bot IS NULL AND p_hash IS NOT NULL
        AND p_at - s.created_at < interval '10 seconds'
        AND (SELECT count(DISTINCT o.share_id) FROM opens o
             WHERE o.client_hash = p_hash AND o.at > p_at - interval '1 minute') >= 5;
    bot := p_bot IS NOT NULL OR burst;
    INSERT INTO opens (share_id, at, client_hash, ua_class, is_bot, bot_reason)
    VALUES (p_share, p_at, p_hash, p_ua, bot,
            CASE WHEN burst THEN 'burst: many links from one address' ELSE p_bot END);
    IF NOT bot THEN
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
        SELECT id INTO d FROM deals WHERE id::text = e->>'deal_id';
        IF d IS NULL THEN RETURN 'not_found:no deal ' || (e->>'deal_id'); END IF;
    ELSIF e ? 'deal_external_id' THEN
        SELECT id INTO d FROM deals WHERE external_id = e->>'deal_external_id';
        IF d IS NULL THEN RETURN 'not_found:no deal ' || (e->>'deal_external_id'); END IF;
    END IF;
    IF e ? 'asset_id' THEN
        SELECT id INTO a FROM assets WHERE id::text = e->>'asset_id';
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
        SELECT * INTO sh FROM shares
        WHERE id::text = e->>'share_id' OR token = e->>'token' LIMIT 1;
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
-- detail}]}. Each event runs in a subtransaction, so a refused one leaves
-- no trace (not even its id: it may be sent again, corrected).
CREATE FUNCTION ingest_events(events jsonb, actor uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    e jsonb;
    i integer := 0;
    accepted integer := 0;
    duplicates integer := 0;
    rejected jsonb := '[]';
    why text;
BEGIN
    PERFORM set_config('nextstage.actor', coalesce(actor::text, ''), true);
    FOR e IN SELECT * FROM jsonb_array_elements(events) LOOP
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
                rejected := rejected || jsonb_build_object('index', i, 'code', 'invalid_field',
                    'detail', SQLERRM);
        END;
        i := i + 1;
    END LOOP;
    RETURN jsonb_build_object('accepted', accepted, 'duplicates', duplicates,
                              'rejected', rejected);
END $$;
