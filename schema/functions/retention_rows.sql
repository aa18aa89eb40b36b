-- A retention pass (README, "Retention") removes the opens, public page
-- views and downloads older than @p_events_before and the leads older than
-- @p_leads_before (NULL: that kind is kept forever), keeping what the app
-- shows of them (retention_retire_*.sql). It is two transactions, so that
-- the one that takes the event tables' exclusive lock holds no row lock a
-- writer could be waiting for: retention_rows(), then retention_months().
-- Each takes an advisory lock (one pass at a time across servers) and
-- audits what it removed (entity 'retention', counts only, never a row);
-- the first also when an admin ran the pass, even if nothing went.

-- The rows that go one by one: the events before the cutoff in the
-- default partition (history back-filled from before the server made its
-- months), in the month under way at the cutoff and in a month that still
-- holds opens the usage rollups do not (id past the fold's mark: they wait
-- for the next pass); every lead created before the cutoff, current or
-- replaced (an asset keeps the count of its current ones), with the
-- lead.sales_ready deliveries of the outbox that carry them (name, e-mail),
-- whatever their state, unless being sent at that moment. Returns {events_before, leads_before,
-- removed: {opens, page_views, downloads, leads, lead_deliveries}}.
CREATE OR REPLACE FUNCTION retention_rows(p_events_before timestamptz,
                                          p_leads_before timestamptz) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
    n_opens bigint := 0;
    n_views bigint := 0;
    n_downloads bigint := 0;
    n_leads bigint := 0;
    n_out bigint := 0;
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
    result := jsonb_build_object('events_before', rfc3339(p_events_before),
        'leads_before', rfc3339(p_leads_before),
        'removed', jsonb_build_object('opens', n_opens, 'page_views', n_views,
                                      'downloads', n_downloads, 'leads', n_leads,
                                      'lead_deliveries', n_out));
    IF actor IS NOT NULL OR n_opens + n_views + n_downloads + n_leads + n_out > 0 THEN
        INSERT INTO audit (actor, action, entity, entity_id, after)
        VALUES (actor, 'delete', 'retention', gen_random_uuid()::text, result);
    END IF;
    RETURN result;
END $$;
