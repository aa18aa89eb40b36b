-- What a retention pass keeps of the raw rows it removes (retention_rows.sql;
-- the tables of schema/0032_retention.sql): it reads the rows about to go
-- from @src, a partition or the temporary table the trimmed rows went to,
-- and returns how many there were.

-- Public page views and downloads: per asset (asset_public_json).
CREATE OR REPLACE FUNCTION retention_retire_views(src text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH kept AS (
            INSERT INTO retired_page_views AS r
                (asset_id, views, human_views, downloads, human_downloads)
            SELECT asset_id, count(*) FILTER (WHERE kind = 'view'),
                   count(*) FILTER (WHERE kind = 'view' AND NOT is_bot),
                   count(*) FILTER (WHERE kind = 'download'),
                   count(*) FILTER (WHERE kind = 'download' AND NOT is_bot)
            FROM %I GROUP BY 1
            ON CONFLICT (asset_id) DO UPDATE SET views = r.views + excluded.views,
                human_views = r.human_views + excluded.human_views,
                downloads = r.downloads + excluded.downloads,
                human_downloads = r.human_downloads + excluded.human_downloads)
        SELECT count(*) FROM %I$q$, src, src) INTO n;
    RETURN n;
END $$;
