-- A new share to a deal is an exposure of its spell at that time.
CREATE OR REPLACE FUNCTION share_exposure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT NEW.asset_id, NEW.deal_id, sp.stage, sp.at, sp.left_at, sp.next_stage, NEW.created_at
    FROM deal_stages sp WHERE sp.deal_id = NEW.deal_id AND sp.at <= NEW.created_at
    ORDER BY sp.at DESC LIMIT 1
    ON CONFLICT (asset_id, deal_id, entered_at)
        DO UPDATE SET shared_at = least(exposures.shared_at, excluded.shared_at);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER shares_exposure AFTER INSERT ON shares
    FOR EACH ROW WHEN (NEW.deal_id IS NOT NULL) EXECUTE FUNCTION share_exposure();
