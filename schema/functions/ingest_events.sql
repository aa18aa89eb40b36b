-- A batch: {"accepted": n, "duplicates": n, "rejected": [{index, code,
-- detail}]}. Downloads, most of what trackers send, are applied set-based
-- in one statement; the other types one by one, each in a subtransaction,
-- so a refused event leaves no trace (not even its id: it may be sent
-- again, corrected). Ids are compared as uuids (the server checked their
-- shape), so primary keys are used. enable_nestloop is off because the
-- planner expects one row out of jsonb_array_elements and would join
-- 1,000 x 1,000 rows in a loop.
CREATE OR REPLACE FUNCTION ingest_events(events jsonb, actor uuid) RETURNS jsonb
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
