-- A search hit's excerpt of a page of text, as HTML: the text escaped
-- (& < > " ') with only <mark> and </mark> added, around the words that
-- match @q. The words come from a prospect's or a marketer's file, so
-- nothing of them may become markup: ts_headline marks the words with the
-- control characters \x01 and \x02, and sees < and > as \x03 and \x04 (it
-- would drop what looks like a tag: text such as "<script>" is shown, as
-- text); extracted text has no control characters (any there are dropped
-- first). The excerpt is escaped, then the marks become tags.
--
-- ts_headline parses and stems every word it is given (~0.4 ms for a page
-- of 300 words, times 20 items a search page), so it reads the 250
-- characters (about 40 words) from the first word that @pattern (a
-- case-insensitive regular expression of the words' stems: search.c)
-- finds, and the whole page only when they mark nothing (a stem that is
-- not how the word is spelt in the text). Its excerpt starts at the first
-- matched word it shows.
CREATE OR REPLACE FUNCTION search_snippet(p_text text, q tsquery, pattern text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    at integer := regexp_instr(p_text, pattern, 1, 1, 0, 'i');
    opts text := 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', MaxWords=30, MinWords=15';
    w text;
    h text;
BEGIN
    IF at > 0 THEN -- ts_headline's excerpt starts at the first match anyway
        w := substr(p_text, at, 250);
        h := ts_headline('english', translate(w, E'<>\x01\x02\x03\x04', E'\x03\x04'), q, opts);
    END IF;
    IF h IS NULL OR strpos(h, chr(1)) = 0 THEN
        h := ts_headline('english', translate(p_text, E'<>\x01\x02\x03\x04', E'\x03\x04'), q, opts);
    END IF;
    RETURN replace(replace(replace(replace(replace(replace(replace(translate(h, E'\n\t\r', '   '),
        '&', '&amp;'), '"', '&quot;'), '''', '&#39;'), chr(3), '&lt;'), chr(4), '&gt;'),
        chr(1), '<mark>'), chr(2), '</mark>');
END $$;
