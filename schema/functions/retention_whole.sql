-- Part of a retention pass (retention_rows.sql, retention_months.sql).

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
