-- A time of a CSV import as the import's reader wrote it (server/import/):
-- "YYYY-MM-DD HH:MM:SS" (19 characters) in the zone @tz, or with its own
-- "+HH:MM" offset after it (a length test, not a pattern: it runs for
-- every row of a file).
CREATE OR REPLACE FUNCTION import_time(t text, tz text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN length(t) > 19 THEN t::timestamptz
                ELSE t::timestamp AT TIME ZONE tz END
$$;
