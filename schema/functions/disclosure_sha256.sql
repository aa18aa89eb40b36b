-- Hex SHA-256 of a disclosure text: the form carries the one it showed, so
-- that a lead never records a text its author did not see.
CREATE OR REPLACE FUNCTION disclosure_sha256(t text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex')
$$;
