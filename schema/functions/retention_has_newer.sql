-- Part of a retention pass (retention_rows.sql, retention_months.sql).

-- Whether partition @part holds rows whose id is past @max_id (NULL: no
-- limit, none is). The opens' BRIN index on id makes this a short look.
CREATE OR REPLACE FUNCTION retention_has_newer(part text, max_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    found boolean;
BEGIN
    IF max_id IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id > $1)', part) INTO found USING max_id;
    RETURN found;
END $$;
