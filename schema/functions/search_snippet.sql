-- A search hit's excerpt of a page of text, as HTML: the text escaped
-- (& < > " ') with only <mark> and </mark> added, around the words that
-- match @q. The words come from a prospect's or a marketer's file, so
-- nothing of them may become markup: ts_headline marks the words with the
-- control characters \x01 and \x02 (extracted text has none; any there
-- are dropped first), the excerpt is escaped, then the marks become tags.
--
-- ts_headline parses and stems every word it is given (~0.4 ms for a page
-- of 300 words, times 20 items a search page), so it reads a window of
-- about 60 words around the first word that @pattern (a case-insensitive
-- regular expression of the words' stems: search.c) finds, and the whole
-- page only when that window marks nothing (a stem that is not how the
-- word is spelt in the text).
CREATE OR REPLACE FUNCTION search_snippet(p_text text, q tsquery, pattern text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    t text := translate(p_text, E'\x01\x02', '');
    at integer := regexp_instr(t, pattern, 1, 1, 0, 'i');
    opts text := 'StartSel=' || chr(1) || ', StopSel=' || chr(2)
                 || ', MaxFragments=2, MaxWords=18, MinWords=8, FragmentDelimiter=" … "';
    s integer := greatest(1, at - 150);
    w text;
    h text;
BEGIN
    IF at > 0 THEN
        -- whole words: from a word's start to a word's end
        w := substr(t, s, 400);
        IF s > 1 THEN
            w := regexp_replace(w, '^\S*\s+', '');
        END IF;
        IF s + 400 <= length(t) THEN
            w := regexp_replace(w, '\s+\S*$', '');
        END IF;
        h := ts_headline('english', w, q, opts);
    END IF;
    IF h IS NULL OR strpos(h, chr(1)) = 0 THEN
        h := ts_headline('english', t, q, opts);
    END IF;
    RETURN replace(replace(replace(replace(replace(replace(replace(translate(h, E'\n\t\r', '   '),
        '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
        chr(1), '<mark>'), chr(2), '</mark>');
END $$;
