-- Stamps published_at when an asset becomes published (the unused rules
-- and the review queue count an asset's age from it).
CREATE OR REPLACE FUNCTION asset_published_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' AND (TG_OP = 'INSERT' OR OLD.status <> 'published') THEN
        NEW.published_at := now();
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER assets_published_at BEFORE INSERT OR UPDATE OF status ON assets
    FOR EACH ROW EXECUTE FUNCTION asset_published_at();
