-- Adds the shares with seq in (lo, hi] and the opens with id in (lo2, hi2]
-- to the rollups.
CREATE OR REPLACE FUNCTION usage_fold_range(lo bigint, hi bigint, lo2 bigint, hi2 bigint) RETURNS void
LANGUAGE sql SET work_mem = '64MB' AS $$
    WITH r AS MATERIALIZED (SELECT * FROM usage_rows(lo, hi, lo2, hi2)),
    up AS (INSERT INTO usage_rollup AS u SELECT * FROM r
           ON CONFLICT (kind, day, id) DO UPDATE SET shares = u.shares + excluded.shares,
               opens = u.opens + excluded.opens,
               human_opens = u.human_opens + excluded.human_opens,
               opened_shares = u.opened_shares + excluded.opened_shares)
    INSERT INTO usage_asset AS u
        SELECT r.id, sum(r.shares), sum(r.opens), sum(r.human_opens), sum(r.opened_shares),
               max(l.at)
        FROM r LEFT JOIN (SELECT asset_id, max(created_at) AS at FROM shares
                          WHERE seq > lo AND seq <= hi GROUP BY 1) l ON l.asset_id = r.id
        WHERE r.kind = 'asset_month' GROUP BY r.id
        ON CONFLICT (asset_id) DO UPDATE SET shares = u.shares + excluded.shares,
            opens = u.opens + excluded.opens, human_opens = u.human_opens + excluded.human_opens,
            opened_shares = u.opened_shares + excluded.opened_shares,
            last_shared_at = greatest(u.last_shared_at, excluded.last_shared_at);
    INSERT INTO opened_shares
        SELECT DISTINCT share_id FROM opens WHERE id > lo2 AND id <= hi2 AND NOT is_bot
        ON CONFLICT DO NOTHING;
$$;
