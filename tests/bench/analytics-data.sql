-- The analytics bench's data set: 2,000 assets, 200 reps, 100,000 deals
-- with 500,000 stage entries, 1,000,000 shares and 3,000,000 opens over
-- the last two years. Run on a migrated, empty database by a superuser
-- (triggers are skipped: the audit trail of generated rows is not what is
-- measured). Deterministic: setseed.
BEGIN;
SET LOCAL session_replication_role = replica;
SELECT setseed(0.2718);

INSERT INTO personas (slug, name) VALUES
    ('cfo', 'Chief Financial Officer'), ('cio', 'Chief Information Officer'),
    ('it-manager', 'IT manager'), ('security-lead', 'Security lead'),
    ('head-of-sales', 'Head of sales'), ('ops-manager', 'Operations manager')
    ON CONFLICT DO NOTHING;

INSERT INTO users (email, name, role, password_hash)
SELECT format('rep%s@example.com', g), format('Rep %s', g), 'rep', 'x'
FROM generate_series(1, 200) g;

-- Assets: published link assets, tagged with one or two personas and two
-- neighbouring open stages; created before the history starts.
WITH p AS (SELECT ARRAY['cfo', 'cio', 'it-manager', 'security-lead', 'head-of-sales',
                        'ops-manager'] AS personas,
                  ARRAY['prospecting', 'discovery', 'evaluation', 'proposal',
                        'negotiation'] AS stages)
INSERT INTO assets (title, kind, intent, personas, stages, status, url, created_at, updated_at,
                    published_at)
SELECT format('Asset %s', g), 'guide', CASE WHEN g % 3 = 0 THEN 'sales' ELSE 'educational' END,
       (SELECT array_agg(DISTINCT e ORDER BY e)
        FROM unnest(ARRAY[personas[1 + g % 6], personas[1 + g * 7 % 6]]) e),
       ARRAY[stages[1 + g % 4], stages[2 + g % 4]],
       'published', format('https://example.com/a/%s', g),
       now() - interval '800 days', now() - interval '800 days', now() - interval '800 days'
FROM generate_series(1, 2000) g, p;
INSERT INTO asset_personas SELECT id, unnest(personas) FROM assets;
INSERT INTO asset_stages SELECT id, unnest(stages) FROM assets;

-- Deals: each enters prospecting at some time in the two years and moves
-- through four more entries three to five weeks apart; the fifth is
-- negotiation (still open), won or lost.
CREATE TEMP TABLE gen_deals AS
SELECT g, gen_random_uuid() AS id,
       now() - interval '730 days' + random() * interval '700 days' AS t0,
       (SELECT array_agg(id) FROM users WHERE role = 'rep') AS reps
FROM generate_series(1, 100000) g;
INSERT INTO deals (id, external_id, name, account, owner, stage, personas, created_at)
SELECT id, format('D-%s', g), format('Deal %s', g), format('Account %s', g % 5000),
       reps[1 + g % 200], 'prospecting',
       ARRAY[(ARRAY['cfo', 'cio', 'it-manager', 'security-lead', 'head-of-sales',
                    'ops-manager'])[1 + g % 6]], t0
FROM gen_deals;
INSERT INTO deal_stages (deal_id, stage, at, source)
SELECT d.id,
       CASE WHEN j < 5 THEN (ARRAY['prospecting', 'discovery', 'evaluation', 'proposal'])[j]
            WHEN d.g % 3 = 0 THEN 'negotiation' WHEN d.g % 3 = 1 THEN 'closed_won'
            ELSE 'closed_lost' END,
       d.t0 + (j - 1) * interval '20 days' + (d.g * j % 97) * interval '4 hours',
       'import'
FROM gen_deals d, generate_series(1, 5) j;
UPDATE deals d SET stage = s.stage
FROM (SELECT DISTINCT ON (deal_id) deal_id, stage FROM deal_stages
      ORDER BY deal_id, at DESC) s
WHERE s.deal_id = d.id;

-- Shares: 90% to a deal, at a time inside its first 60 days; assets
-- skewed so that some are shared often and a few never.
CREATE TEMP TABLE gen_assets AS
SELECT row_number() OVER (ORDER BY title) AS n, id FROM assets;
INSERT INTO shares (token, asset_id, deal_id, rep_id, channel, created_at)
SELECT md5(x.i::text) || 'x', a.id, CASE WHEN x.i % 10 <> 0 THEN d.id END,
       d.reps[1 + x.i % 200], 'email', least(now(), d.t0 + x.r * interval '60 days')
FROM (SELECT i, 1 + floor(1950 * power(random(), 1.5))::int AS n, random() AS r
      FROM generate_series(1, 1000000) i) x
JOIN gen_deals d ON d.g = 1 + x.i % 100000
JOIN gen_assets a ON a.n = x.n;

-- Opens: three per share on average, a fifth of them bots.
SELECT ensure_month_partitions('opens', now() - interval '26 months', 3);
INSERT INTO opens (share_id, at, client_hash, ua_class, is_bot, bot_reason)
SELECT s.id, least(now(), s.created_at + random() * interval '5 days'), NULL,
       CASE WHEN g % 5 = 0 THEN 'crawler' ELSE 'browser' END, g % 5 = 0,
       CASE WHEN g % 5 = 0 THEN 'ua' END
FROM (SELECT id, created_at, row_number() OVER () AS n FROM shares) s,
     generate_series(1, 3) g;

DROP TABLE gen_deals, gen_assets;
SELECT analytics_rebuild();
COMMIT;
VACUUM ANALYZE;
