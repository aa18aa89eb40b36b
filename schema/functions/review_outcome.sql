-- The status @decision leaves an asset in, from @status; NULL when the
-- decision makes no sense there (keep or refresh what is not published,
-- archive what is not published, restore what is published or a draft).
CREATE OR REPLACE FUNCTION review_outcome(status text, decision text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'published' AND decision IN ('keep', 'refresh') THEN 'published'
                WHEN status = 'published' AND decision = 'archive' THEN 'archived'
                WHEN status IN ('published', 'archived') AND decision = 'retire' THEN 'retired'
                WHEN status IN ('archived', 'retired') AND decision = 'restore' THEN 'published'
           END
$$;
