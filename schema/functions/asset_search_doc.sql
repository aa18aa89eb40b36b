-- The search statement is planned once per connection (server/db/search.c):
-- its index conditions must be there whatever the filters. So the persona,
-- stage and tag filters become lexemes of the search document, which the
-- query can always name: '#p=<persona>', '#s=<stage>', '#t=<tag>', and
-- '#all' in every document (for no filter). Typed words never reach them
-- (the handler keeps letters and digits only), and '=' rather than ':'
-- keeps them from looking like pgbench variables in make bench's copy of
-- the statement. They have no position, so ts_rank of the words is what
-- it was. One GIN index over the document and the title's trigrams serves
-- both branches of a search: the words with the filters, and a title like
-- the words with the filters.
--
-- search_head is the document without the file's text: what a search
-- ranks by (schema/0026_search_inside.sql). search is search_head and the
-- words of the current version's file, weight D (the lowest), once its
-- text is extracted: a word only in the file finds the asset. A file
-- whose words would make the document larger than a tsvector can be
-- (1 MB of lexemes) leaves it without them rather than fail the write.
CREATE OR REPLACE FUNCTION asset_search_doc() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    doc tsvector;
BEGIN
    NEW.search_head :=
        setweight(to_tsvector('english', NEW.title), 'A') ||
        setweight(to_tsvector('english', array_to_string(NEW.tags, ' ') || ' ' ||
            coalesce((SELECT string_agg(name, ' ') FROM personas WHERE slug = ANY (NEW.personas)), '')
            || ' ' ||
            coalesce((SELECT string_agg(name, ' ') FROM stages WHERE slug = ANY (NEW.stages)), '')),
            'B') ||
        setweight(to_tsvector('english', NEW.description), 'C') ||
        array_to_tsvector('{#all}'
            || ARRAY(SELECT '#p=' || x FROM unnest(NEW.personas) x)
            || ARRAY(SELECT '#s=' || x FROM unnest(NEW.stages) x)
            || ARRAY(SELECT '#t=' || x FROM unnest(NEW.tags) x));
    NEW.search := NEW.search_head;
    SELECT t.doc INTO doc FROM asset_versions v JOIN blob_texts t ON t.blob_id = v.blob_id
     WHERE v.asset_id = NEW.id AND v.number = NEW.current_version;
    IF doc IS NOT NULL THEN
        BEGIN
            NEW.search := NEW.search_head || setweight(doc, 'D');
        EXCEPTION WHEN program_limit_exceeded THEN
            NULL;
        END;
    END IF;
    RETURN NEW;
END $$;

-- A new current version brings its file's text (once extracted:
-- asset_search_refresh).
CREATE OR REPLACE TRIGGER assets_search BEFORE INSERT OR UPDATE OF title, description, tags, personas, stages,
    current_version, search ON assets FOR EACH ROW EXECUTE FUNCTION asset_search_doc();
