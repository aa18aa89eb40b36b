-- usage_delta's rows grouped as the rollups are (kinds as in usage_rollup):
-- what the fold adds, and what readers add for the rows past the marks, so
-- that what they show is exact whatever the fold's lag.
CREATE OR REPLACE FUNCTION usage_rows(lo bigint, hi bigint, lo2 bigint, hi2 bigint)
RETURNS TABLE (kind text, day date, id uuid, shares numeric, opens numeric,
               human_opens numeric, opened_shares numeric)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN GROUPING(d.asset_id) = 0 THEN
                    CASE WHEN GROUPING(d.day) = 0 THEN 'asset_day' ELSE 'asset_month' END
                WHEN GROUPING(d.rep_id) = 0 THEN
                    CASE WHEN GROUPING(d.day) = 0 THEN 'rep_day' ELSE 'rep_month' END
                ELSE 'day' END,
           coalesce(d.day, d.month),
           coalesce(d.asset_id, d.rep_id, '00000000-0000-0000-0000-000000000000'),
           sum(d.shares), sum(d.opens), sum(d.human_opens), sum(d.opened_shares)
    FROM (SELECT *, date_trunc('month', x.day)::date AS month
          FROM usage_delta(lo, hi, lo2, hi2) x) d
    GROUP BY GROUPING SETS ((d.day, d.asset_id), (d.month, d.asset_id), (d.day, d.rep_id),
                            (d.month, d.rep_id), (d.day))
$$;
