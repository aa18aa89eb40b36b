-- What a retention pass keeps of the raw rows it removes (retention_rows.sql;
-- the tables of schema/0032_retention.sql): it reads the rows about to go
-- from @src, a partition or the temporary table the trimmed rows went to,
-- and returns how many there were.

-- Opens: per share (share_json), and what they had put into the usage
-- rollups, grouped as usage_rows() groups them, with the shares a person
-- had opened (analytics_rebuild starts from these).
CREATE OR REPLACE FUNCTION retention_retire_opens(src text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH o AS MATERIALIZED (
            SELECT o.share_id, o.at, o.is_bot, s.asset_id, s.rep_id, s.created_at
            FROM %I o JOIN shares s ON s.id = o.share_id),
        per_share AS (
            INSERT INTO retired_share_opens AS r (share_id, opens, human_opens)
            SELECT share_id, count(*), count(*) FILTER (WHERE NOT is_bot) FROM o GROUP BY 1
            ON CONFLICT (share_id) DO UPDATE SET opens = r.opens + excluded.opens,
                human_opens = r.human_opens + excluded.human_opens),
        newly AS (
            INSERT INTO retired_opened_shares
            SELECT DISTINCT share_id FROM o WHERE NOT is_bot
            ON CONFLICT DO NOTHING RETURNING share_id),
        d AS (
            SELECT (at AT TIME ZONE 'UTC')::date AS day, asset_id, rep_id, 1 AS opens,
                   CASE WHEN is_bot THEN 0 ELSE 1 END AS human_opens, 0 AS opened_shares
            FROM o
            UNION ALL
            SELECT (s.created_at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 0, 0, 1
            FROM newly n JOIN shares s ON s.id = n.share_id),
        rollup AS (
            INSERT INTO retired_usage AS u (kind, day, id, opens, human_opens, opened_shares)
            SELECT CASE WHEN GROUPING(d.asset_id) = 0 THEN
                            CASE WHEN GROUPING(d.day) = 0 THEN 'asset_day' ELSE 'asset_month' END
                        WHEN GROUPING(d.rep_id) = 0 THEN
                            CASE WHEN GROUPING(d.day) = 0 THEN 'rep_day' ELSE 'rep_month' END
                        ELSE 'day' END,
                   coalesce(d.day, d.month),
                   coalesce(d.asset_id, d.rep_id, '00000000-0000-0000-0000-000000000000'),
                   sum(d.opens), sum(d.human_opens), sum(d.opened_shares)
            FROM (SELECT *, date_trunc('month', x.day)::date AS month FROM d x) d
            GROUP BY GROUPING SETS ((d.day, d.asset_id), (d.month, d.asset_id),
                                    (d.day, d.rep_id), (d.month, d.rep_id), (d.day))
            ON CONFLICT (kind, day, id) DO UPDATE SET opens = u.opens + excluded.opens,
                human_opens = u.human_opens + excluded.human_opens,
                opened_shares = u.opened_shares + excluded.opened_shares)
        SELECT count(*) FROM %I$q$, src, src) INTO n;
    RETURN n;
END $$;
