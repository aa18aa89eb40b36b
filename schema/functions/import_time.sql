-- A time of a CSV import as the import's reader wrote it (server/import/):
-- "YYYY-MM-DD HH:MM:SS" in the zone @tz, or with its own "+HH:MM" offset.
CREATE OR REPLACE FUNCTION import_time(t text, tz text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN t ~ '[+-][0-9]{2}:[0-9]{2}$' THEN t::timestamptz
                ELSE t::timestamp AT TIME ZONE tz END
$$;
