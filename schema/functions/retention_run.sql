-- A retention pass (README, "Retention"): removes the opens, public page
-- views and downloads older than @p_events_before, and the leads older
-- than @p_leads_before (NULL: that kind is kept forever), keeping what the
-- app shows of them (retention_retire.sql).
--
-- Events: whole months before the cutoff are dropped (DETACH, DROP: cheap,
-- no bloat); the month under way at the cutoff and the default partition
-- (history back-filled from before the server made its months) are
-- trimmed with DELETE. An open goes only once the usage rollups hold it
-- (id at most the fold's mark): one not yet folded waits for the next
-- pass. The drops come last, under a lock_timeout: when a writer holds
-- the table too long, they are postponed to the next pass
-- (partitions_postponed) and the rest of the pass stands.
--
-- Leads: every lead created before the cutoff, current or replaced; an
-- asset keeps the count of its current ones (asset_public_json). The
-- lead.sales_ready deliveries of the outbox that carry them (name, e-mail)
-- go too, unless being sent at that moment.
--
-- One pass at a time across servers (an advisory lock). Audited (entity
-- 'retention', counts only) when it removed anything or an admin ran it.
-- Returns {events_before, leads_before, removed: {opens, page_views,
-- downloads, leads, lead_deliveries}, partitions_dropped: [names],
-- partitions_postponed}.
CREATE OR REPLACE FUNCTION retention_run(p_events_before timestamptz,
                                         p_leads_before timestamptz) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    n_opens bigint := 0;
    n_views bigint := 0;
    n_downloads bigint := 0;
    n_leads bigint := 0;
    n_out bigint := 0;
    w_opens bigint := 0;
    w_views bigint := 0;
    w_downloads bigint := 0;
    whole_opens text[];
    whole_views text[];
    whole_downloads text[];
    part text;
    dropped text[] := '{}';
    postponed boolean := false;
    actor uuid := nullif(current_setting('nextstage.actor', true), '')::uuid;
    result jsonb;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('nextstage retention', 0));
    IF p_events_before IS NOT NULL THEN
        SELECT done INTO folded FROM rollup_marks WHERE source = 'opens';
        CREATE TEMP TABLE retention_opens (share_id uuid, at timestamptz, is_bot boolean)
            ON COMMIT DROP;
        CREATE TEMP TABLE retention_views (asset_id uuid, kind text, is_bot boolean)
            ON COMMIT DROP;
        PERFORM retention_trim('opens', p_events_before, folded, 'share_id, at, is_bot',
                               'retention_opens');
        n_opens := retention_retire_opens('retention_opens');
        PERFORM retention_trim('page_views', p_events_before, NULL, 'asset_id, kind, is_bot',
                               'retention_views');
        n_views := retention_retire_views('retention_views');
        n_downloads := retention_trim('downloads', p_events_before, NULL, NULL, NULL);
    END IF;
    IF p_leads_before IS NOT NULL THEN
        WITH gone AS (
            DELETE FROM leads WHERE created_at < p_leads_before
            RETURNING id, asset_id, replaced_at IS NULL AS current, readiness),
        kept AS (
            INSERT INTO retired_leads AS r (asset_id, leads, sales_ready)
            SELECT asset_id, count(*) FILTER (WHERE current),
                   count(*) FILTER (WHERE current AND readiness = 'sales_ready')
            FROM gone GROUP BY 1
            ON CONFLICT (asset_id) DO UPDATE SET leads = r.leads + excluded.leads,
                sales_ready = r.sales_ready + excluded.sales_ready),
        mail AS (
            DELETE FROM outbox o USING gone g
            WHERE o.kind = 'lead.sales_ready' AND o.data->>'lead_id' = g.id::text
              AND NOT o.sending
            RETURNING 1)
        SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM mail) INTO n_leads, n_out;
    END IF;
    IF p_events_before IS NOT NULL THEN
        BEGIN
            PERFORM set_config('lock_timeout', '3s', true);
            whole_opens := retention_whole('opens', p_events_before, folded);
            whole_views := retention_whole('page_views', p_events_before, NULL);
            whole_downloads := retention_whole('downloads', p_events_before, NULL);
            FOREACH part IN ARRAY whole_opens LOOP
                w_opens := w_opens + retention_retire_opens(part);
            END LOOP;
            FOREACH part IN ARRAY whole_views LOOP
                w_views := w_views + retention_retire_views(part);
            END LOOP;
            FOREACH part IN ARRAY whole_downloads LOOP
                w_downloads := w_downloads + retention_retire_downloads(part);
            END LOOP;
            PERFORM retention_drop('opens', whole_opens);
            PERFORM retention_drop('page_views', whole_views);
            PERFORM retention_drop('downloads', whole_downloads);
            n_opens := n_opens + w_opens;
            n_views := n_views + w_views;
            n_downloads := n_downloads + w_downloads;
            dropped := whole_opens || whole_views || whole_downloads;
        EXCEPTION WHEN lock_not_available THEN
            postponed := true;
        END;
    END IF;
    result := jsonb_build_object('events_before', rfc3339(p_events_before),
        'leads_before', rfc3339(p_leads_before),
        'removed', jsonb_build_object('opens', n_opens, 'page_views', n_views,
                                      'downloads', n_downloads, 'leads', n_leads,
                                      'lead_deliveries', n_out),
        'partitions_dropped', to_jsonb(dropped), 'partitions_postponed', postponed);
    IF actor IS NOT NULL OR cardinality(dropped) > 0
       OR n_opens + n_views + n_downloads + n_leads + n_out > 0 THEN
        INSERT INTO audit (actor, action, entity, entity_id, after)
        VALUES (actor, 'delete', 'retention', gen_random_uuid()::text, result);
    END IF;
    RETURN result;
END $$;
