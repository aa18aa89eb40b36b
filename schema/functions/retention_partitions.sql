-- The partition work of a retention pass (retention_rows.sql).

-- The partitions of @parent with their bounds (both NULL for the default
-- partition), as ensure_month_partitions made them.
CREATE OR REPLACE FUNCTION retention_partitions(parent regclass)
RETURNS TABLE (name text, lower timestamptz, upper timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT c.relname::text,
           substring(b.expr FROM 'FROM \(''([^'']+)''\)')::timestamptz,
           substring(b.expr FROM 'TO \(''([^'']+)''\)')::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS expr) b
    WHERE i.inhparent = parent
$$;

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

-- The months of @parent wholly before @before whose rows may all go (none
-- has an id past @max_id), locked against writes (a late event of that
-- month waits for the pass) until the transaction ends: the caller counts
-- what they hold, then retention_drop() removes them.
CREATE OR REPLACE FUNCTION retention_whole(parent regclass, before timestamptz, max_id bigint)
RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    p record;
    whole text[] := '{}';
BEGIN
    FOR p IN SELECT * FROM retention_partitions(parent) x WHERE x.upper <= before
             ORDER BY x.lower LOOP
        EXECUTE format('LOCK TABLE %I IN SHARE MODE', p.name);
        CONTINUE WHEN retention_has_newer(p.name, max_id);
        whole := whole || p.name;
    END LOOP;
    RETURN whole;
END $$;

-- Detaches the partitions @parts from @parent and drops them. DETACH takes
-- the parent's ACCESS EXCLUSIVE lock (CONCURRENTLY is refused where a
-- default partition exists) until the transaction ends: the caller does
-- this last, under a lock_timeout.
CREATE OR REPLACE FUNCTION retention_drop(parent regclass, parts text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    part text;
BEGIN
    FOREACH part IN ARRAY parts LOOP
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %I', parent, part);
        EXECUTE format('DROP TABLE %I', part);
    END LOOP;
END $$;
