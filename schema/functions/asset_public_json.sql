-- An asset's public page in numbers: views and downloads (from the page
-- or its form), all and by people; current leads, and how many of them
-- are sales-ready.
CREATE OR REPLACE FUNCTION asset_public_json(asset uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('views', v.views, 'human_views', v.human_views,
        'downloads', v.downloads, 'human_downloads', v.human_downloads,
        'leads', l.leads, 'sales_ready_leads', l.sales_ready)
    FROM (SELECT count(*) FILTER (WHERE kind = 'view') AS views,
                 count(*) FILTER (WHERE kind = 'view' AND NOT is_bot) AS human_views,
                 count(*) FILTER (WHERE kind = 'download') AS downloads,
                 count(*) FILTER (WHERE kind = 'download' AND NOT is_bot) AS human_downloads
          FROM page_views WHERE asset_id = asset) v,
         (SELECT count(*) AS leads, count(*) FILTER (WHERE readiness = 'sales_ready') AS sales_ready
          FROM leads WHERE asset_id = asset AND replaced_at IS NULL) l
$$;
