-- Search inside documents (issue 16). The search document (assets.search)
-- now holds the current version's file text too (weight D, from
-- blob_texts.doc: schema/functions/asset_search_doc.sql), which makes it
-- tens of kilobytes, stored out of line. A search ranks every match, and
-- reading that much per match would cost more than the rest of a search
-- (ranking 500 matches: ~1.5 ms on the title-to-description part, ~12 ms
-- on the whole document), so the part that ranks is kept apart, small
-- and in line: search_head, the title (A), tags, personas and stages (B)
-- and description (C), as search was before. search matches (one GIN
-- index, as before); search_head ranks.
ALTER TABLE assets ADD COLUMN search_head tsvector;
-- No file text is extracted yet when this runs (0023 queued every
-- version), so today's search document is all of the head. Derived data,
-- not a change anyone made: the audit trigger (which learns of
-- search_head only when schema/functions/ is applied, after this) sits
-- it out.
ALTER TABLE assets DISABLE TRIGGER assets_audit;
UPDATE assets SET search_head = search;
ALTER TABLE assets ENABLE TRIGGER assets_audit;

-- A search's snippet reads, for each item of its page, the pages of the
-- item's file to find the best one: their words (~2 kB each) are kept in
-- line, compressed with lz4 when it helps, rather than in the TOAST table
-- (one index lookup and two chunks per page read: 20 items x 20 pages
-- read that way cost ~2 ms, in line ~0.8 ms). Rows written from now on.
ALTER TABLE blob_pages ALTER COLUMN words SET STORAGE MAIN,
                       ALTER COLUMN words SET COMPRESSION lz4,
                       ALTER COLUMN text SET STORAGE MAIN,
                       ALTER COLUMN text SET COMPRESSION lz4;
