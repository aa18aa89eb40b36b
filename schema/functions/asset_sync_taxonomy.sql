-- Keeps asset_personas and asset_stages, the join tables that taxonomy
-- deletes must respect, equal to an asset's personas and stages arrays.
CREATE OR REPLACE FUNCTION asset_sync_taxonomy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM asset_personas WHERE asset_id = NEW.id AND persona <> ALL (NEW.personas);
    INSERT INTO asset_personas (asset_id, persona)
        SELECT NEW.id, unnest(NEW.personas) ON CONFLICT DO NOTHING;
    DELETE FROM asset_stages WHERE asset_id = NEW.id AND stage <> ALL (NEW.stages);
    INSERT INTO asset_stages (asset_id, stage)
        SELECT NEW.id, unnest(NEW.stages) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER assets_taxonomy AFTER INSERT OR UPDATE OF personas, stages ON assets
    FOR EACH ROW EXECUTE FUNCTION asset_sync_taxonomy();
