-- Applies one event (already shape-checked by the server); NULL when it
-- was stored, else the reason it was refused ('code:detail').
CREATE OR REPLACE FUNCTION ingest_event(e jsonb) RETURNS text
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
