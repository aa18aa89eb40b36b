-- An asset's public page in numbers: views and downloads (from the page
-- or its form), all and by people; current leads, and how many of them
-- are sales-ready; with those retention removed (retired_page_views,
-- retired_leads).
CREATE OR REPLACE FUNCTION asset_public_json(asset uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('views', v.views + coalesce(rv.views, 0),
        'human_views', v.human_views + coalesce(rv.human_views, 0),
        'downloads', v.downloads + coalesce(rv.downloads, 0),
        'human_downloads', v.human_downloads + coalesce(rv.human_downloads, 0),
        'leads', l.leads + coalesce(rl.leads, 0),
        'sales_ready_leads', l.sales_ready + coalesce(rl.sales_ready, 0))
    FROM (SELECT count(*) FILTER (WHERE kind = 'view') AS views,
                 count(*) FILTER (WHERE kind = 'view' AND NOT is_bot) AS human_views,
                 count(*) FILTER (WHERE kind = 'download') AS downloads,
                 count(*) FILTER (WHERE kind = 'download' AND NOT is_bot) AS human_downloads
          FROM page_views WHERE asset_id = asset) v,
         (SELECT count(*) AS leads, count(*) FILTER (WHERE readiness = 'sales_ready') AS sales_ready
          FROM leads WHERE asset_id = asset AND replaced_at IS NULL) l
    LEFT JOIN retired_page_views rv ON rv.asset_id = asset
    LEFT JOIN retired_leads rl ON rl.asset_id = asset
$$;
