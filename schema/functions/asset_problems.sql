-- Every published external asset with what is wrong with it (internal
-- content is read, never shared: shares can't tell whether it is used;
-- README, Analytics:
-- "Unused", with @p_days and @p_grace): @reasons the unused reasons,
-- @judged 'hurts' and 'no_effect' when some stage has that verdict, and
-- @since the oldest of those problems (when the grace ran out, when the
-- asset went stale, its first share, when a stage began failing, when it
-- expired). A stage counts as tested when its verdict is not insufficient
-- data; it fails with no_effect or hurts (inconclusive is no failure).
CREATE OR REPLACE FUNCTION asset_problems(p_days integer, p_grace integer)
RETURNS TABLE (asset_id uuid, reasons text[], judged text[], since timestamptz, shares bigint,
               opens bigint, human_opens bigint, last_shared_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT a.id, r.reasons, j.judged,
           least(CASE WHEN 'never_shared' = ANY (r.reasons)
                      THEN a.published_at + make_interval(days => p_grace) END,
                 CASE WHEN 'stale' = ANY (r.reasons)
                      THEN u.last_shared_at + make_interval(days => p_days) END,
                 CASE WHEN 'never_opened' = ANY (r.reasons)
                      THEN (SELECT min(s.created_at) FROM shares s WHERE s.asset_id = a.id) END,
                 CASE WHEN 'fails_stage_test' = ANY (r.reasons) OR cardinality(j.judged) > 0
                      THEN v.failing_since END,
                 CASE WHEN 'expired' = ANY (r.reasons) THEN a.expires_at END),
           coalesce(u.shares, 0), coalesce(u.opens, 0), coalesce(u.human_opens, 0),
           u.last_shared_at
    FROM assets a
    LEFT JOIN usage_asset_now u ON u.asset_id = a.id
    LEFT JOIN (SELECT x.asset_id,
                      count(*) FILTER (WHERE x.verdict IN ('moves_deals', 'no_effect', 'hurts',
                                                           'inconclusive')) AS tested,
                      count(*) FILTER (WHERE x.verdict IN ('no_effect', 'hurts')) AS failing,
                      bool_or(x.verdict = 'hurts') AS hurts,
                      bool_or(x.verdict = 'no_effect') AS no_effect,
                      min(x.verdict_since) FILTER (WHERE x.verdict IN ('no_effect', 'hurts'))
                          AS failing_since
               FROM stage_verdicts x GROUP BY x.asset_id) v ON v.asset_id = a.id
    CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
        CASE WHEN coalesce(u.shares, 0) = 0
                  AND a.published_at <= now() - make_interval(days => p_grace)
             THEN 'never_shared' END,
        CASE WHEN u.shares > 0 AND u.last_shared_at < now() - make_interval(days => p_days)
             THEN 'stale' END,
        CASE WHEN u.shares > 0 AND u.human_opens = 0 THEN 'never_opened' END,
        CASE WHEN v.tested > 0 AND v.failing = v.tested THEN 'fails_stage_test' END,
        CASE WHEN a.expires_at < now() THEN 'expired' END], NULL) AS reasons) r
    CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
        CASE WHEN v.hurts THEN 'hurts' END,
        CASE WHEN v.no_effect THEN 'no_effect' END], NULL) AS judged) j
    WHERE a.status = 'published' AND a.audience = 'external'
$$;
