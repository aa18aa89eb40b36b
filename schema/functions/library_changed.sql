-- The library's generation (schema/0029_search_arms.sql): one more for
-- every transaction that changes assets, in that transaction, so a
-- snapshot that sees the change sees the new number and one that does
-- not, the old. The bump waits for the commit (a deferred trigger) and is
-- made once per transaction: the one row is then locked only by
-- transactions that are committing and hold every other lock they will
-- take. Taken mid-transaction (a statement trigger), it deadlocked an
-- upload, which bumped it and then queued its blob's extraction, with the
-- extraction worker, which held that job and then bumped it.
CREATE OR REPLACE FUNCTION library_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('nextstage.library_changed', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('nextstage.library_changed', 'yes', true);
        UPDATE library_generation SET n = n + 1;
    END IF;
    RETURN NULL;
END $$;

-- A constraint trigger has no CREATE OR REPLACE: made afresh on every run.
DROP TRIGGER IF EXISTS assets_library_changed ON assets;
CREATE CONSTRAINT TRIGGER assets_library_changed AFTER INSERT OR UPDATE OR DELETE ON assets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION library_changed();
CREATE OR REPLACE TRIGGER assets_library_truncated AFTER TRUNCATE ON assets
    FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
