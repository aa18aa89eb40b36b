-- A new version's bytes are queued for extraction once: the first version
-- of a blob creates its blob_texts row ('pending') and its job; a version
-- of bytes already known (the same file uploaded again, a revert) finds
-- them there, extracted or waiting.
CREATE OR REPLACE FUNCTION extract_queue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO blob_texts (blob_id) VALUES (NEW.blob_id) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        INSERT INTO extract_jobs (blob_id, mime) VALUES (NEW.blob_id, NEW.mime)
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER asset_versions_extract AFTER INSERT ON asset_versions
    FOR EACH ROW EXECUTE FUNCTION extract_queue();
