-- The library's generation (schema/0029_search_arms.sql): one more for
-- every statement that changes assets, in its transaction, so a snapshot
-- that sees the change sees the new number and one that does not, the
-- old. Statement-level: a bulk update bumps it once.
CREATE OR REPLACE FUNCTION library_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE library_generation SET n = n + 1;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER assets_library_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON assets FOR EACH STATEMENT EXECUTE FUNCTION library_changed();
