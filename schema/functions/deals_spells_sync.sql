-- Recomputes the spells (each stage entry's left_at and next_stage) and
-- the exposures (the first share of an asset inside each spell; shares
-- before a deal's first stage are exposures of no stage, entered at
-- -infinity, see share_exposure) of the deals @ds from their timelines
-- and shares, in three statements whatever their number: imports call it
-- once for all the deals of a file.
CREATE OR REPLACE FUNCTION deals_spells_sync(ds uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deal_stages x SET left_at = h.l, next_stage = h.n
    FROM (SELECT id, lead(at) OVER w AS l, lead(stage) OVER w AS n
          FROM deal_stages WHERE deal_id IN (SELECT unnest(ds))
          WINDOW w AS (PARTITION BY deal_id ORDER BY at)) h
    WHERE x.id = h.id AND (x.left_at, x.next_stage) IS DISTINCT FROM (h.l, h.n);
    DELETE FROM exposures WHERE deal_id IN (SELECT unnest(ds));
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT s.asset_id, s.deal_id, sp.stage, coalesce(sp.at, '-infinity'), sp.left_at,
           sp.next_stage, min(s.created_at)
    FROM shares s
    LEFT JOIN LATERAL (SELECT * FROM deal_stages d WHERE d.deal_id = s.deal_id
                       AND d.at <= s.created_at ORDER BY d.at DESC LIMIT 1) sp ON true
    WHERE s.deal_id IN (SELECT unnest(ds))
    GROUP BY 1, 2, 3, 4, 5, 6;
END $$;
