-- A new share to a deal is an exposure of its spell at that time; before
-- the deal's first stage, of no stage (entered at -infinity): the test
-- reads that row only as the time the deal was given the asset. (No join:
-- event ingest runs with nested loops off.)
CREATE OR REPLACE FUNCTION share_exposure() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    sp deal_stages;
BEGIN
    SELECT * INTO sp FROM deal_stages ds WHERE ds.deal_id = NEW.deal_id
        AND ds.at <= NEW.created_at ORDER BY ds.at DESC LIMIT 1;
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    VALUES (NEW.asset_id, NEW.deal_id, sp.stage, coalesce(sp.at, '-infinity'), sp.left_at,
            sp.next_stage, NEW.created_at)
    ON CONFLICT (asset_id, deal_id, entered_at)
        DO UPDATE SET shared_at = least(exposures.shared_at, excluded.shared_at);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER shares_exposure AFTER INSERT ON shares
    FOR EACH ROW WHEN (NEW.deal_id IS NOT NULL) EXECUTE FUNCTION share_exposure();
