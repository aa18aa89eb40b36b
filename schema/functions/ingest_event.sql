-- It answered a 'code:detail' word until it raised SQLSTATEs; a function
-- cannot change its result type in place, so that one goes first.
DO $$
BEGIN
    IF (SELECT prorettype = 'text'::regtype FROM pg_proc
        WHERE oid = to_regprocedure('ingest_event(jsonb)')) THEN
        DROP FUNCTION ingest_event(jsonb);
    END IF;
END $$;

-- Applies one event. The server checked its shape, but nothing here
-- counts on it: an event it refuses raises a project SQLSTATE naming the
-- field in COLUMN (server/db/db_internal.h has the table): NS001 the row a
-- field refers to is not there, NS002 a field's value is wrong, NS003 a
-- field is missing. Any other error is a fault of the server's, not the
-- client's, and is left to propagate.
CREATE OR REPLACE FUNCTION ingest_event(e jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    at timestamptz := now();
    d uuid;
    a uuid;
    u uuid;
    sh shares;
    st text;
    uuid_shape constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
    f text;
BEGIN
    IF e->>'at' IS NOT NULL THEN
        BEGIN
            at := (e->>'at')::timestamptz;
        EXCEPTION WHEN data_exception THEN
            at := NULL;
        END;
        -- PostgreSQL also reads 'yesterday', 'epoch' and 'May 5': not RFC 3339
        IF at IS NULL OR NOT isfinite(at) OR e->>'at' !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' THEN
            RAISE EXCEPTION 'at must be RFC 3339' USING ERRCODE = 'NS002', COLUMN = 'at';
        END IF;
    END IF;
    FOREACH f IN ARRAY ARRAY['deal_id', 'asset_id', 'share_id'] LOOP
        IF e->>f !~* uuid_shape THEN
            RAISE EXCEPTION 'not an id' USING ERRCODE = 'NS002', COLUMN = f;
        END IF;
    END LOOP;
    IF e ? 'deal_id' THEN
        SELECT id INTO d FROM deals WHERE id = (e->>'deal_id')::uuid;
        IF d IS NULL THEN
            RAISE EXCEPTION 'no deal %', e->>'deal_id' USING ERRCODE = 'NS001', COLUMN = 'deal_id';
        END IF;
    ELSIF e ? 'deal_external_id' THEN
        SELECT id INTO d FROM deals WHERE external_id = e->>'deal_external_id';
        IF d IS NULL THEN
            RAISE EXCEPTION 'no deal %', e->>'deal_external_id'
                USING ERRCODE = 'NS001', COLUMN = 'deal_external_id';
        END IF;
    END IF;
    IF e ? 'asset_id' THEN
        SELECT id INTO a FROM assets WHERE id = (e->>'asset_id')::uuid;
        IF a IS NULL THEN
            RAISE EXCEPTION 'no asset %', e->>'asset_id' USING ERRCODE = 'NS001', COLUMN = 'asset_id';
        END IF;
    ELSIF e->>'type' IN ('share', 'download') THEN
        RAISE EXCEPTION 'a % names its asset_id', e->>'type'
            USING ERRCODE = 'NS003', COLUMN = 'asset_id';
    END IF;
    CASE e->>'type'
    WHEN 'share' THEN
        IF e->>'rep_email' IS NULL THEN
            RAISE EXCEPTION 'a share names the rep who shared'
                USING ERRCODE = 'NS003', COLUMN = 'rep_email';
        END IF;
        SELECT id INTO u FROM users WHERE email = lower(e->>'rep_email') AND active;
        IF u IS NULL THEN
            RAISE EXCEPTION 'no user %', e->>'rep_email' USING ERRCODE = 'NS001', COLUMN = 'rep_email';
        END IF;
        IF coalesce(e->>'channel', 'other') NOT IN ('email', 'link', 'social', 'meeting', 'other') THEN
            RAISE EXCEPTION 'channel is email, link, social, meeting or other'
                USING ERRCODE = 'NS002', COLUMN = 'channel';
        END IF;
        IF length(e->>'recipient_email') NOT BETWEEN 3 AND 254 THEN
            RAISE EXCEPTION 'recipient_email is 3 to 254 characters'
                USING ERRCODE = 'NS002', COLUMN = 'recipient_email';
        END IF;
        INSERT INTO shares (token, asset_id, version, deal_id, rep_id, channel, recipient_email,
                            created_at)
        SELECT replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), -- 244 random bits
               a, (SELECT current_version FROM assets WHERE id = a), d, u,
               coalesce(e->>'channel', 'other'), e->>'recipient_email', at;
    WHEN 'open' THEN
        IF e ? 'share_id' THEN
            f := 'share_id';
            SELECT * INTO sh FROM shares WHERE id = (e->>'share_id')::uuid;
        ELSIF e ? 'token' THEN
            f := 'token';
            SELECT * INTO sh FROM shares WHERE token = e->>'token';
        ELSE
            RAISE EXCEPTION 'an open names its share_id or token'
                USING ERRCODE = 'NS003', COLUMN = 'share_id';
        END IF;
        IF sh.id IS NULL THEN
            RAISE EXCEPTION 'no share' USING ERRCODE = 'NS001', COLUMN = f;
        END IF;
        PERFORM record_open(sh.id, NULL, 'ingested', NULL, at);
    WHEN 'download' THEN
        IF e ? 'user_email' THEN
            SELECT id INTO u FROM users WHERE email = lower(e->>'user_email');
            IF u IS NULL THEN
                RAISE EXCEPTION 'no user %', e->>'user_email'
                    USING ERRCODE = 'NS001', COLUMN = 'user_email';
            END IF;
        END IF;
        INSERT INTO downloads (asset_id, user_id, at) VALUES (a, u, at);
    WHEN 'stage_change' THEN
        IF e->>'stage' IS NULL THEN
            RAISE EXCEPTION 'a stage change names its stage' USING ERRCODE = 'NS003', COLUMN = 'stage';
        END IF;
        st := resolve_stage(e->>'stage');
        IF st IS NULL THEN
            RAISE EXCEPTION 'no stage or alias %', e->>'stage' USING ERRCODE = 'NS002', COLUMN = 'stage';
        END IF;
        IF d IS NULL THEN
            RAISE EXCEPTION 'a stage change names deal_id or deal_external_id'
                USING ERRCODE = 'NS003', COLUMN = 'deal_id';
        END IF;
        PERFORM 1 FROM deals WHERE id = d FOR UPDATE;
        PERFORM deal_enter_stage(d, st, at, 'ingest');
    ELSE
        IF e->>'type' IS NULL THEN
            RAISE EXCEPTION 'an event has a type' USING ERRCODE = 'NS003', COLUMN = 'type';
        END IF;
        RAISE EXCEPTION 'unknown type %', e->>'type' USING ERRCODE = 'NS002', COLUMN = 'type';
    END CASE;
END $$;
