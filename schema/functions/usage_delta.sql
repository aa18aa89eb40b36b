-- The rollup rows of the shares with seq in (lo, hi] and opens with id in
-- (lo2, hi2], as deltas (usage_rows groups them as the rollups do). The
-- share-opened delta only counts shares not yet in opened_shares (the
-- first person's open among the given opens).
CREATE OR REPLACE FUNCTION usage_delta(lo bigint, hi bigint, lo2 bigint, hi2 bigint)
RETURNS TABLE (day date, asset_id uuid, rep_id uuid, shares bigint, opens bigint,
               human_opens bigint, opened_shares bigint, last_shared_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH o AS MATERIALIZED (SELECT share_id, at, is_bot FROM opens
                            WHERE id > lo2 AND id <= hi2)
    SELECT (s.created_at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 1, 0, 0, 0, s.created_at
    FROM shares s WHERE s.seq > lo AND s.seq <= hi
    UNION ALL
    SELECT (o.at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 0,
           count(*), count(*) FILTER (WHERE NOT o.is_bot), 0, NULL
    FROM o JOIN shares s ON s.id = o.share_id GROUP BY 1, 2, 3
    UNION ALL
    SELECT (s.created_at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 0, 0, 0, 1, NULL
    FROM (SELECT DISTINCT share_id FROM o WHERE NOT is_bot) f
    JOIN shares s ON s.id = f.share_id
    WHERE NOT EXISTS (SELECT 1 FROM opened_shares x WHERE x.share_id = f.share_id)
$$;
