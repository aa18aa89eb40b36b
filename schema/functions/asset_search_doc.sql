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
CREATE OR REPLACE FUNCTION asset_search_doc() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search :=
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
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER assets_search BEFORE INSERT OR UPDATE OF title, description, tags, personas, stages,
    search ON assets FOR EACH ROW EXECUTE FUNCTION asset_search_doc();
