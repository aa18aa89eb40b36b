-- Recomputes every spell, exposure and rollup from the timelines, shares
-- and opens (for bulk loads that bypass deal_enter_stage and the shares
-- trigger; shares before a deal's first stage are exposures of no stage,
-- as share_exposure makes them). The opens retention removed count from
-- what it kept of them (retired_usage, retired_opened_shares). Run it
-- while nothing else writes shares or opens. The opens it folds raise no
-- share.opened events (a bulk load's history is not news to a receiver).
CREATE OR REPLACE FUNCTION analytics_rebuild() RETURNS void
LANGUAGE sql SET work_mem = '64MB' AS $$
    UPDATE deal_stages x SET left_at = h.l, next_stage = h.n
    FROM (SELECT id, lead(at) OVER w AS l, lead(stage) OVER w AS n
          FROM deal_stages WINDOW w AS (PARTITION BY deal_id ORDER BY at)) h
    WHERE x.id = h.id AND (x.left_at, x.next_stage) IS DISTINCT FROM (h.l, h.n);
    TRUNCATE exposures;
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT s.asset_id, s.deal_id, sp.stage, coalesce(sp.at, '-infinity'), sp.left_at,
           sp.next_stage, min(s.created_at)
    FROM shares s
    LEFT JOIN LATERAL (SELECT * FROM deal_stages ds WHERE ds.deal_id = s.deal_id
                       AND ds.at <= s.created_at ORDER BY ds.at DESC LIMIT 1) sp ON true
    WHERE s.deal_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6;
    TRUNCATE usage_rollup, usage_asset, opened_shares;
    -- what the opens that retention removed had put in (schema/0032)
    INSERT INTO usage_rollup (kind, day, id, opens, human_opens, opened_shares)
        SELECT kind, day, id, opens, human_opens, opened_shares FROM retired_usage;
    INSERT INTO usage_asset (asset_id, opens, human_opens, opened_shares)
        SELECT id, sum(opens), sum(human_opens), sum(opened_shares) FROM retired_usage
        WHERE kind = 'asset_month' GROUP BY id;
    INSERT INTO opened_shares SELECT share_id FROM retired_opened_shares;
    UPDATE rollup_marks SET candidate = NULL, candidate_at = NULL, horizon = NULL,
        done = CASE source WHEN 'shares' THEN (SELECT coalesce(max(seq), 0) FROM shares)
                           ELSE (SELECT coalesce(max(id), 0) FROM opens) END;
    SELECT usage_fold_range(0, (SELECT done FROM rollup_marks WHERE source = 'shares'),
                            0, (SELECT done FROM rollup_marks WHERE source = 'opens'));
$$;
