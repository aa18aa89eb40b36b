-- A batch: {"accepted": n, "duplicates": n, "rejected": [{index, sqlstate,
-- field, detail}]}, where a rejection is one of the project SQLSTATEs
-- (NS001 not found, NS002 invalid, NS003 missing: see ingest_event) that
-- the server maps to its error codes. Downloads, most of what trackers
-- send, are applied set-based in one statement; the other types one by
-- one, each in a subtransaction, so a refused event leaves no trace (not
-- even its id: it may be sent again, corrected). A value the set-based
-- statement cannot even read (a time or an id PostgreSQL refuses) sends
-- the downloads one by one too, where ingest_event names the field. Any
-- other error is not a refusal: it fails the batch, which rolls back.
-- Ids are compared as uuids (the server checked their shape), so primary
-- keys are used. enable_nestloop is off because the planner expects one
-- row out of jsonb_array_elements and would join 1,000 x 1,000 rows in a
-- loop.
CREATE OR REPLACE FUNCTION ingest_events(events jsonb, actor uuid) RETURNS jsonb
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    e jsonb;
    i integer := 0;
    accepted integer := 0;
    duplicates integer := 0;
    rejected jsonb := '[]';
    bulk record;
    one_by_one boolean := false;
    state text;
    col text;
    msg text;
BEGIN
    PERFORM set_config('nextstage.actor', coalesce(actor::text, ''), true);
    -- Downloads, all at once: the first event of each id that names a
    -- known asset (and user) and was not ingested before is stored.
    BEGIN
        WITH d AS (
            SELECT t.n - 1 AS idx, t.e->>'id' AS id, t.e ? 'asset_id' AS named_asset,
                   a.id AS asset, u.id AS usr, t.e ? 'user_email' AS named_user,
                   coalesce((t.e->>'at')::timestamptz, now()) AS at,
                   coalesce(t.e->>'at' !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T', false)
                       OR NOT isfinite(coalesce((t.e->>'at')::timestamptz, now())) AS bad_at,
                   row_number() OVER (PARTITION BY t.e->>'id' ORDER BY t.n) AS nth
            FROM jsonb_array_elements(events) WITH ORDINALITY AS t(e, n)
            LEFT JOIN assets a ON a.id = (t.e->>'asset_id')::uuid
            LEFT JOIN users u ON u.email = lower(t.e->>'user_email')
            WHERE t.e->>'type' = 'download'),
        bad AS (SELECT idx, CASE WHEN bad_at THEN 'NS002'
                                 WHEN NOT named_asset THEN 'NS003' ELSE 'NS001' END AS sqlstate,
                       CASE WHEN bad_at THEN 'at'
                            WHEN asset IS NULL THEN 'asset_id' ELSE 'user_email' END AS field,
                       CASE WHEN bad_at THEN 'at must be RFC 3339'
                            WHEN NOT named_asset THEN 'a download names its asset_id'
                            WHEN asset IS NULL THEN 'no such asset' ELSE 'no such user' END
                           AS detail
                FROM d WHERE nth = 1 AND (asset IS NULL OR (named_user AND usr IS NULL)
                                          OR bad_at)),
        good AS (SELECT * FROM d WHERE nth = 1 AND asset IS NOT NULL
                     AND (NOT named_user OR usr IS NOT NULL) AND NOT bad_at),
        fresh AS (INSERT INTO ingested_events (id, type) SELECT id, 'download' FROM good
                  ON CONFLICT DO NOTHING RETURNING id),
        stored AS (INSERT INTO downloads (asset_id, user_id, at)
                   SELECT g.asset, g.usr, g.at FROM good g JOIN fresh f ON f.id = g.id RETURNING 1)
        SELECT (SELECT count(*) FROM stored) AS stored,
               (SELECT count(*) FROM d) - (SELECT count(*) FROM bad) - (SELECT count(*) FROM stored)
                   AS dups,
               coalesce((SELECT jsonb_agg(jsonb_build_object('index', idx, 'sqlstate', sqlstate,
                             'field', field, 'detail', detail) ORDER BY idx) FROM bad), '[]')
                   AS refused
        INTO bulk;
        accepted := bulk.stored;
        duplicates := bulk.dups;
        rejected := bulk.refused;
    EXCEPTION WHEN data_exception OR not_null_violation OR check_violation THEN
        one_by_one := true; -- nothing of the statement is left: the block rolled it back
    END;
    FOR e IN SELECT * FROM jsonb_array_elements(events) LOOP
        IF one_by_one OR e->>'type' IS DISTINCT FROM 'download' THEN
            BEGIN
                IF e->>'id' IS NULL THEN
                    RAISE EXCEPTION 'an event has an id' USING ERRCODE = 'NS003', COLUMN = 'id';
                ELSIF length(e->>'id') > 200 THEN
                    RAISE EXCEPTION 'id is a string of 1 to 200 bytes'
                        USING ERRCODE = 'NS002', COLUMN = 'id';
                ELSIF e->>'type' IS NULL THEN
                    RAISE EXCEPTION 'an event has a type' USING ERRCODE = 'NS003', COLUMN = 'type';
                END IF;
                INSERT INTO ingested_events (id, type) VALUES (e->>'id', e->>'type')
                    ON CONFLICT DO NOTHING;
                IF NOT FOUND THEN
                    duplicates := duplicates + 1;
                ELSE
                    PERFORM ingest_event(e);
                    accepted := accepted + 1;
                END IF;
            EXCEPTION WHEN SQLSTATE 'NS001' OR SQLSTATE 'NS002' OR SQLSTATE 'NS003' THEN
                GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, col = COLUMN_NAME,
                                        msg = MESSAGE_TEXT;
                rejected := rejected || jsonb_build_object('index', i, 'sqlstate', state,
                    'field', nullif(col, ''), 'detail', msg);
            END;
        END IF;
        i := i + 1;
    END LOOP;
    RETURN jsonb_build_object('accepted', accepted, 'duplicates', duplicates,
                              'rejected', rejected);
END $$;
