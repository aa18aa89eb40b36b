-- A renamed persona or stage re-derives the documents that name it.
CREATE OR REPLACE FUNCTION taxonomy_renamed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        IF TG_TABLE_NAME = 'personas' THEN
            UPDATE assets SET search = NULL WHERE personas @> ARRAY[NEW.slug];
        ELSE
            UPDATE assets SET search = NULL WHERE stages @> ARRAY[NEW.slug];
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER personas_renamed AFTER UPDATE OF name ON personas
    FOR EACH ROW EXECUTE FUNCTION taxonomy_renamed();
CREATE OR REPLACE TRIGGER stages_renamed AFTER UPDATE OF name ON stages
    FOR EACH ROW EXECUTE FUNCTION taxonomy_renamed();
