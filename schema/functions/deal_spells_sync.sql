-- Recomputes spells and exposures of deal @d from its timeline and shares
-- (plpgsql: its plans are kept for the session; imports call it per row).
-- Shares before the deal's first stage are exposures of no stage, entered
-- at -infinity (share_exposure).
CREATE OR REPLACE FUNCTION deal_spells_sync(d uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deal_stages x SET left_at = h.l, next_stage = h.n
    FROM (SELECT id, lead(at) OVER w AS l, lead(stage) OVER w AS n
          FROM deal_stages WHERE deal_id = d WINDOW w AS (ORDER BY at)) h
    WHERE x.id = h.id AND (x.left_at, x.next_stage) IS DISTINCT FROM (h.l, h.n);
    DELETE FROM exposures WHERE deal_id = d;
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT s.asset_id, d, sp.stage, coalesce(sp.at, '-infinity'), sp.left_at, sp.next_stage,
           min(s.created_at)
    FROM shares s
    LEFT JOIN LATERAL (SELECT * FROM deal_stages ds WHERE ds.deal_id = d
                       AND ds.at <= s.created_at ORDER BY ds.at DESC LIMIT 1) sp ON true
    WHERE s.deal_id = d
    GROUP BY 1, 3, 4, 5, 6;
END $$;
