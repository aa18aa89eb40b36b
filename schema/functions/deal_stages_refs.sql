-- The references of deal_stages (see migration 0020): what a foreign key
-- would check per row, checked per statement over its transition table.
-- Like a foreign key's check, it locks the deals and stages referred to
-- FOR KEY SHARE, so that a concurrent delete waits for this transaction
-- (and one that committed first makes the check fail).
CREATE OR REPLACE FUNCTION deal_stages_refs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(*) FROM (SELECT FROM deals d WHERE d.id IN (SELECT deal_id FROM new_rows)
                              FOR KEY SHARE OF d) x)
       <> (SELECT count(DISTINCT deal_id) FROM new_rows) THEN
        RAISE EXCEPTION 'a deal_stages entry names a deal that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deal_stages',
                  CONSTRAINT = 'deal_stages_deal_id_fkey';
    END IF;
    IF (SELECT count(*) FROM (SELECT FROM stages s WHERE s.slug IN
                                  (SELECT stage FROM new_rows UNION SELECT next_stage FROM new_rows)
                              FOR KEY SHARE OF s) x)
       <> (SELECT count(*) FROM (SELECT stage FROM new_rows UNION SELECT next_stage FROM new_rows
                                 WHERE next_stage IS NOT NULL) x) THEN
        RAISE EXCEPTION 'a deal_stages entry names a stage that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deal_stages',
                  CONSTRAINT = 'deal_stages_stage_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER deal_stages_refs_insert AFTER INSERT ON deal_stages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_refs();
CREATE OR REPLACE TRIGGER deal_stages_refs_update AFTER UPDATE ON deal_stages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_refs();

-- A deal's delete takes its timeline with it (ON DELETE CASCADE).
CREATE OR REPLACE FUNCTION deal_stages_deals_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM deal_stages WHERE deal_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER deal_stages_deals_deleted AFTER DELETE ON deals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION deal_stages_deals_deleted();

-- A stage's slug change follows into the timelines (ON UPDATE CASCADE);
-- a stage that a timeline names is not deleted (NO ACTION). A next_stage
-- is always the stage of the entry after it, so checking stage suffices.
CREATE OR REPLACE FUNCTION deal_stages_stage_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE deal_stages SET stage = NEW.slug WHERE stage = OLD.slug;
        UPDATE deal_stages SET next_stage = NEW.slug WHERE next_stage = OLD.slug;
    ELSIF EXISTS (SELECT 1 FROM deal_stages WHERE stage = OLD.slug) THEN
        RAISE EXCEPTION 'stage % is named by deal_stages entries', OLD.slug
            USING ERRCODE = 'foreign_key_violation', TABLE = 'deal_stages',
                  CONSTRAINT = 'deal_stages_stage_fkey';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER deal_stages_stage_renamed AFTER UPDATE OF slug ON stages
    FOR EACH ROW WHEN (OLD.slug <> NEW.slug) EXECUTE FUNCTION deal_stages_stage_changed();
CREATE OR REPLACE TRIGGER deal_stages_stage_deleted AFTER DELETE ON stages
    FOR EACH ROW EXECUTE FUNCTION deal_stages_stage_changed();
