-- What a retention pass keeps of the raw rows it removes (retention_rows.sql;
-- the tables of schema/0032_retention.sql): it reads the rows about to go
-- from @src, a partition or the temporary table the trimmed rows went to,
-- and returns how many there were.

-- Downloads reported by other systems: nothing reads them; only counted.
CREATE OR REPLACE FUNCTION retention_retire_downloads(src text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I', src) INTO n;
    RETURN n;
END $$;
