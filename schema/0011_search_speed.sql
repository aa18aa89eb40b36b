-- Search speed (issue 3).

-- Planning a search took ~1.2 ms of its ~1.7 ms in one place: estimating
-- "title %> q". pg_trgm's estimator (matchingsel) runs word_similarity()
-- on every most-common value and histogram entry of assets.title (~200 of
-- them) at every plan, and the search statement is planned at every
-- execution. Titles are nearly unique, so those statistics buy no better
-- plan: they are no longer collected, and the trigram condition gets the
-- default estimate (planning the match: 1.19 ms -> 0.05 ms; the plan is
-- the same BitmapAnd/BitmapOr of the GIN indexes).
ALTER TABLE assets ALTER COLUMN title SET STATISTICS 0;
-- ANALYZE leaves the statistics it no longer gathers in place; only a
-- change of type drops them. To the same type it rewrites nothing and
-- keeps the indexes; the search-document trigger names the column, so it
-- is set aside meanwhile (same definition as in 0003).
DROP TRIGGER assets_search ON assets;
ALTER TABLE assets ALTER COLUMN title TYPE text;
CREATE TRIGGER assets_search BEFORE INSERT OR UPDATE OF title, description, tags, personas, stages,
    search ON assets FOR EACH ROW EXECUTE FUNCTION asset_search_doc();
