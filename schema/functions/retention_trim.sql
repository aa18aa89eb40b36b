-- Part of a retention pass (retention_rows.sql, retention_months.sql).

-- Deletes the rows of @parent older than @before (and with an id at most
-- @max_id, when given) from the partitions that are not removed whole:
-- the default partition, the month under way at @before, and a month
-- wholly before it that still holds rows past @max_id. Copies the deleted
-- rows' @cols into the temporary table @dest (when given) and returns how
-- many rows went.
CREATE OR REPLACE FUNCTION retention_trim(parent regclass, before timestamptz, max_id bigint,
                                          cols text, dest text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    n bigint;
    total bigint := 0;
BEGIN
    FOR p IN SELECT * FROM retention_partitions(parent) x
             WHERE x.lower IS NULL OR x.lower < before ORDER BY x.lower NULLS FIRST LOOP
        CONTINUE WHEN p.upper <= before AND NOT retention_has_newer(p.name, max_id);
        IF dest IS NULL THEN
            EXECUTE format('DELETE FROM %I WHERE at < $1 AND ($2::bigint IS NULL OR id <= $2)',
                           p.name) USING before, max_id;
        ELSE
            EXECUTE format('WITH d AS (DELETE FROM %I WHERE at < $1'
                           ' AND ($2::bigint IS NULL OR id <= $2) RETURNING %s)'
                           ' INSERT INTO %I SELECT * FROM d', p.name, cols, dest)
                USING before, max_id;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
    END LOOP;
    RETURN total;
END $$;
