-- The search bench's file text (scripts/bench.sh, need_search_data): each
-- of the bench's assets gets a current version (a PDF of 20 pages) whose
-- text is extracted already, as the extraction worker stores it: the
-- pages in blob_pages, all of them in blob_texts.doc, and the assets'
-- search documents computed again.
--
-- The text is English-like: sentences of 6 to 24 words drawn from a
-- vocabulary of about 20,000 words by Zipf's law (the word of rank k has
-- a probability of about 1 / (k ln N)): 110 function words first ("the"
-- about 10% of words), then 300 words of business English spread over
-- ranks 1,000 to 20,000 ("security" about rank 1,500, in a third of the
-- documents; "compliance" in a quarter), and made-up words of two to four
-- syllables for everything else, the long tail above all (most of a real
-- text's distinct words are rare ones). A page is 12 to 24 sentences (about 150 to 400 words) from
-- a pool of 30,000, plus one that names its asset's topic, industry and
-- company. Each page's words are the concatenation of its sentences'
-- tsvectors (to_tsvector of each sentence once, not of each page: the
-- same lexemes as to_tsvector of the page, positions shifted by at most a
-- stop word per sentence), which makes 200,000 pages in about a minute
-- instead of several.
--
-- The assets are the bench's own (their title, description and tags
-- stay); deterministic (setseed). No extraction job is left behind: the
-- texts are what the worker would have stored.
BEGIN;
SELECT setseed(0.2026);

CREATE TEMP TABLE words (rank integer PRIMARY KEY, word text NOT NULL);

-- The function words, most frequent first.
INSERT INTO words
SELECT i, w FROM unnest(string_to_array(
    'the of and to a in is that for it as with be on not this by are or from at which an '
    'have can we will your our more their all has they one been about also how when what '
    'there so but if into each other than only most these its new over any such through up '
    'out them time may who where while well first many some would should could per every '
    'across without between both before after because those then very same even under '
    'against during since within however whether must often just like two three most here '
    'make made use used need needs help helps way ways',
    ' ')) WITH ORDINALITY AS t(w, i);

-- Business English, from the most to the least frequent, at ranks
-- 1000 * 20^(i/300): spread log-uniformly from 1,000 to 20,000.
CREATE TEMP TABLE business (i integer PRIMARY KEY, word text NOT NULL);
INSERT INTO business
SELECT i, w FROM unnest(string_to_array(
    'team customer business data process cost value platform service solution management '
    'report plan support system product market growth revenue strategy performance quality '
    'teams customers results users account partner industry enterprise operations sales '
    'marketing leaders decision budget year quarter month week region global local manager '
    'security executive board stakeholder requirement feature roadmap release version '
    'cloud integration analytics pricing contract vendor deal pipeline forecast workflow '
    'automation policy audit risk compliance governance infrastructure network access '
    'identity finance supply chain inventory procurement onboarding training adoption '
    'migration deployment application software hardware device endpoint backup recovery '
    'incident response monitoring dashboard metric benchmark country stakeholders approval '
    'upgrade license subscription renewal retention churn satisfaction experience journey '
    'channel campaign content message email meeting call demo trial proof concept case '
    'study outcome saving savings efficiency productivity speed scale capacity reliability '
    'availability uptime latency throughput encryption privacy regulation standard '
    'certification control framework model machine learning insight visibility '
    'transparency accuracy payment invoice billing fraud detection logistics shipment '
    'warehouse fleet field technician mobile workforce remote office hybrid employee '
    'hiring payroll benefit benefits legal counsel liability exposure insurance claim '
    'patient clinical hospital bank branch retail store shopper manufacturing plant '
    'factory energy utility grid telecom subscriber school student campus government '
    'agency citizen media audience advertiser publisher checklist template playbook '
    'objection competitor alternative comparison evaluation shortlist negotiation '
    'discount terms signature procurement legal review sign-off champion sponsor '
    'economic buyer persona segment tier premium standard basic edition module add-on '
    'implementation consultant partner reseller marketplace ecosystem api connector '
    'sdk webhook schema pipeline warehouse lakehouse query dashboard alerting '
    'observability tracing logging kubernetes container serverless edge latency '
    'firewall vulnerability patch threat ransomware phishing zero-trust sso mfa '
    'gdpr hipaa soc2 iso27001 residency sovereignty retention archiving ediscovery',
    ' ')) WITH ORDINALITY AS t(w, i);

-- The made-up words: syllables of two or three letters, two to four a word.
CREATE TEMP TABLE tail AS
SELECT g AS j, (SELECT string_agg(s[1 + floor(random() * array_length(s, 1))::int], '' ORDER BY k)
                FROM generate_series(1, 2 + (g * 7) % 3 + (g % 5 = 0)::int) k) AS word
FROM generate_series(1, 20000) g,
     (SELECT ARRAY['ba', 'be', 'bo', 'ca', 'co', 'da', 'de', 'di', 'fa', 'fe', 'ga', 'go',
                   'ha', 'he', 'ja', 'ka', 'ke', 'la', 'le', 'li', 'lo', 'ma', 'me', 'mi',
                   'mo', 'na', 'ne', 'ni', 'no', 'pa', 'pe', 'po', 'ra', 're', 'ri', 'ro',
                   'sa', 'se', 'si', 'so', 'ta', 'te', 'ti', 'to', 'va', 've', 'vi', 'za',
                   'tra', 'pro', 'con', 'ver', 'mar', 'lin', 'ton', 'sen', 'dor', 'gan',
                   'str', 'ment', 'tion', 'ble', 'ous', 'ive', 'ant', 'ist', 'ure', 'ing']
             AS s) syl;

-- Ranks: the function words 1..110, the business words at their rank,
-- the made-up words filling every other rank.
INSERT INTO words
SELECT (SELECT max(rank) FROM words) + row_number() OVER (ORDER BY key), word FROM (
    SELECT 1000 * power(20, i / 300.0) AS key, word FROM business
    UNION ALL
    SELECT 110 + j + 0.5, word FROM tail) x;

CREATE TEMP TABLE sentences AS
SELECT n, text, to_tsvector('english', text) AS words FROM (
    SELECT n, upper(left(t, 1)) || substr(t, 2) || '.' AS text FROM (
        SELECT d.n, string_agg(w.word, ' ' ORDER BY d.k) AS t
        FROM (SELECT n, k, floor(exp(random() * ln(v.cnt + 1)))::int AS r
              FROM generate_series(1, 30000) n,
                   LATERAL generate_series(1, 6 + (n * 13) % 19) k,
                   (SELECT count(*) AS cnt FROM words) v) d
        JOIN words w ON w.rank = greatest(d.r, 1)
        GROUP BY d.n) s) x;
ANALYZE words, sentences;

CREATE AGGREGATE pg_temp.tsvector_agg(tsvector) (sfunc = tsvector_concat, stype = tsvector,
                                                 initcond = '');

-- One blob, version and text per asset.
CREATE TEMP TABLE bench_files AS
SELECT a.id AS asset_id, row_number() OVER (ORDER BY a.created_at, a.id) AS g, a.title
FROM assets a WHERE a.url IS NULL AND a.current_version IS NULL;

INSERT INTO blobs (sha256, size)
SELECT sha256(convert_to('bench file ' || f.asset_id, 'UTF8')), 250000 + f.g * 17
FROM bench_files f;

ALTER TABLE bench_files ADD COLUMN blob_id bigint;
UPDATE bench_files f SET blob_id = b.id
FROM blobs b WHERE b.sha256 = sha256(convert_to('bench file ' || f.asset_id, 'UTF8'));

-- The text first, so that the version's blob is known (extracted) when
-- it is recorded: nothing is queued for extraction.
INSERT INTO blob_texts (blob_id, status, pages, extracted_at)
SELECT blob_id, 'done', 20, now() FROM bench_files;

-- Each page: 12 to 24 sentences drawn from the pool, and the asset's own.
INSERT INTO blob_pages (blob_id, page, text, words)
SELECT f.blob_id, p, string_agg(s.text, ' ' ORDER BY d.k) || ' ' || own.text,
       pg_temp.tsvector_agg(s.words ORDER BY d.k) || to_tsvector('english', own.text)
FROM bench_files f
CROSS JOIN generate_series(1, 20) p
CROSS JOIN LATERAL (SELECT format('%s is how %s teams work with %s.', f.title,
                                  (ARRAY['healthcare', 'banking', 'retail', 'manufacturing',
                                         'insurance', 'logistics'])[1 + (f.g + p) % 6],
                                  (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli',
                                         'Vandelay'])[1 + (f.g * 3 + p) % 6]) AS text) own
CROSS JOIN LATERAL (SELECT k, 1 + floor(random() * 30000)::int AS pick
                    FROM generate_series(1, 12 + (f.g * 7 + p * 5) % 13) k) d
JOIN sentences s ON s.n = d.pick
GROUP BY f.blob_id, p, own.text;

UPDATE blob_texts t SET doc = d.doc
FROM (SELECT blob_id, pg_temp.tsvector_agg(words ORDER BY page) AS doc FROM blob_pages
      GROUP BY blob_id) d
WHERE d.blob_id = t.blob_id;

INSERT INTO asset_versions (asset_id, number, blob_id, mime, filename, created_by, created_at)
SELECT f.asset_id, 1, f.blob_id, 'application/pdf', 'bench-' || f.g || '.pdf', a.owner,
       a.created_at
FROM bench_files f JOIN assets a ON a.id = f.asset_id;
DELETE FROM extract_jobs WHERE blob_id IN (SELECT blob_id FROM bench_files);

-- Making the version current computes the search document again. The
-- search index is built afresh afterwards, as CREATE INDEX builds it:
-- 10,000 documents of 2,000 words each through GIN's pending list took
-- 90 s (its definition is read from the database, not repeated here).
CREATE TEMP TABLE bench_index AS
SELECT indexdef FROM pg_indexes WHERE tablename = 'assets' AND indexname = 'assets_words';
DROP INDEX assets_words;
UPDATE assets a SET current_version = 1 FROM bench_files f WHERE f.asset_id = a.id;
SET CONSTRAINTS ALL IMMEDIATE; -- (CREATE INDEX waits for no deferred check)
DO $$ BEGIN EXECUTE (SELECT indexdef FROM bench_index); END $$;
COMMIT;
