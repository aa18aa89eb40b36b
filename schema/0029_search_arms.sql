-- Search's arms each get their index (server/db/search.c): the words with
-- the filters on the whole document (search); the filters alone, and a
-- title like the words with the filters, on search_head and the title's
-- trigrams. With one index over search and the trigrams, the trigram
-- operator's rows (always rechecked, and with them every row on their heap
-- pages) had the whole document read back to check the filters: tens of
-- kB out of line, decompressed, for each of a search's rows.
CREATE INDEX assets_words ON assets USING gin (search);
CREATE INDEX assets_head ON assets USING gin (search_head, title gin_trgm_ops);
DROP INDEX assets_match;

-- The library's generation: every statement that changes assets bumps it
-- in its own transaction (schema/functions/library_changed.sql), so a
-- search that reads it in the snapshot it reads the assets with knows
-- whether the total and facets it kept from an earlier search still hold
-- (server/db/searchcache.c). The next expiry bounds them too (a published
-- asset stops being shown at its expires_at without a write).
CREATE TABLE library_generation (n bigint NOT NULL);
INSERT INTO library_generation VALUES (0);
CREATE INDEX assets_expiry ON assets (expires_at) WHERE expires_at IS NOT NULL;
