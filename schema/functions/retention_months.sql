-- The second transaction of a retention pass (retention_rows.sql).

-- The months of events wholly before @p_events_before whose rows may all
-- go: counted into what is kept of them, then detached and dropped (cheap,
-- no bloat). Those of a month written to meanwhile (a late event) wait.
-- The drops run under a lock_timeout: when a writer holds an event table
-- too long, the months wait for the next pass (partitions_postponed) and
-- nothing of this transaction stays. Returns @p_rows (retention_rows'
-- answer) with these rows added to its counts, partitions_dropped (the
-- partitions' names) and partitions_postponed.
CREATE OR REPLACE FUNCTION retention_months(p_events_before timestamptz, p_rows jsonb)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    n_opens bigint := 0;
    n_views bigint := 0;
    n_downloads bigint := 0;
    whole_opens text[];
    whole_views text[];
    whole_downloads text[];
    part text;
    dropped text[] := '{}';
    postponed boolean := false;
    mine jsonb;
    removed jsonb := p_rows->'removed';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('nextstage retention', 0));
    IF p_events_before IS NOT NULL THEN
        SELECT done INTO folded FROM rollup_marks WHERE source = 'opens';
        BEGIN
            PERFORM set_config('lock_timeout', '3s', true);
            whole_opens := retention_whole('opens', p_events_before, folded);
            whole_views := retention_whole('page_views', p_events_before, NULL);
            whole_downloads := retention_whole('downloads', p_events_before, NULL);
            FOREACH part IN ARRAY whole_opens LOOP
                n_opens := n_opens + retention_retire_opens(part);
            END LOOP;
            FOREACH part IN ARRAY whole_views LOOP
                n_views := n_views + retention_retire_views(part);
            END LOOP;
            FOREACH part IN ARRAY whole_downloads LOOP
                n_downloads := n_downloads + retention_retire_downloads(part);
            END LOOP;
            PERFORM retention_drop('opens', whole_opens);
            PERFORM retention_drop('page_views', whole_views);
            PERFORM retention_drop('downloads', whole_downloads);
            dropped := whole_opens || whole_views || whole_downloads;
        EXCEPTION WHEN lock_not_available THEN
            postponed := true;
            n_opens := 0;
            n_views := 0;
            n_downloads := 0;
        END;
    END IF;
    IF cardinality(dropped) > 0 THEN
        mine := jsonb_build_object('events_before', rfc3339(p_events_before),
            'removed', jsonb_build_object('opens', n_opens, 'page_views', n_views,
                                          'downloads', n_downloads),
            'partitions_dropped', to_jsonb(dropped));
        INSERT INTO audit (actor, action, entity, entity_id, after)
        VALUES (nullif(current_setting('nextstage.actor', true), '')::uuid, 'delete',
                'retention', gen_random_uuid()::text, mine);
    END IF;
    RETURN p_rows || jsonb_build_object(
        'removed', removed || jsonb_build_object(
            'opens', (removed->>'opens')::bigint + n_opens,
            'page_views', (removed->>'page_views')::bigint + n_views,
            'downloads', (removed->>'downloads')::bigint + n_downloads),
        'partitions_dropped', to_jsonb(dropped), 'partitions_postponed', postponed);
END $$;
