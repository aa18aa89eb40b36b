-- Part of a retention pass (retention_rows.sql, retention_months.sql).

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
