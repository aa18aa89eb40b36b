-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Analytics: what the next-stage test reads (spells and exposures, kept
-- exact by the functions that change timelines and shares), the usage
-- rollups folded in behind a high-water mark, and the last verdicts.

-- When an asset was last published: "never shared" counts from there.
ALTER TABLE assets ADD COLUMN published_at timestamptz;
UPDATE assets a SET published_at = coalesce(
    (SELECT max(x.at) FROM audit x WHERE x.entity = 'assets' AND x.entity_id = a.id::text
         AND x.after->>'status' = 'published'
         AND x.before->>'status' IS DISTINCT FROM 'published'), a.created_at)
    WHERE status = 'published';
CREATE FUNCTION asset_published_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'published' AND (TG_OP = 'INSERT' OR OLD.status <> 'published') THEN
        NEW.published_at := now();
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER assets_published_at BEFORE INSERT OR UPDATE OF status ON assets
    FOR EACH ROW EXECUTE FUNCTION asset_published_at();

-- A stage spell is one entry of a timeline with when it was left and for
-- which stage; deal_enter_stage keeps left_at and next_stage exact.
ALTER TABLE deal_stages ADD COLUMN left_at timestamptz,
    ADD COLUMN next_stage text REFERENCES stages ON UPDATE CASCADE;
CREATE INDEX deal_stages_stage ON deal_stages (stage, at);

-- An exposure: the first share of an asset to a deal during one spell.
CREATE TABLE exposures (
    asset_id   uuid NOT NULL REFERENCES assets ON DELETE CASCADE,
    deal_id    uuid NOT NULL REFERENCES deals ON DELETE CASCADE,
    stage      text NOT NULL REFERENCES stages ON UPDATE CASCADE,
    entered_at timestamptz NOT NULL,
    left_at    timestamptz,
    next_stage text REFERENCES stages ON UPDATE CASCADE,
    shared_at  timestamptz NOT NULL,
    PRIMARY KEY (asset_id, deal_id, entered_at)
);
CREATE INDEX exposures_deal ON exposures (deal_id);

-- Recomputes spells and exposures of deal @d from its timeline and shares
-- (plpgsql: its plans are kept for the session; imports call it per row).
CREATE FUNCTION deal_spells_sync(d uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE deal_stages x SET left_at = h.l, next_stage = h.n
    FROM (SELECT id, lead(at) OVER w AS l, lead(stage) OVER w AS n
          FROM deal_stages WHERE deal_id = d WINDOW w AS (ORDER BY at)) h
    WHERE x.id = h.id AND (x.left_at, x.next_stage) IS DISTINCT FROM (h.l, h.n);
    DELETE FROM exposures WHERE deal_id = d;
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT s.asset_id, d, sp.stage, sp.at, sp.left_at, sp.next_stage, min(s.created_at)
    FROM shares s
    CROSS JOIN LATERAL (SELECT * FROM deal_stages ds WHERE ds.deal_id = d
                        AND ds.at <= s.created_at ORDER BY ds.at DESC LIMIT 1) sp
    WHERE s.deal_id = d
    GROUP BY 1, 3, 4, 5, 6;
END $$;

CREATE OR REPLACE FUNCTION deal_enter_stage(d uuid, s text, t timestamptz, src text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT stage FROM deal_stages WHERE deal_id = d AND at <= t
        ORDER BY at DESC LIMIT 1) IS NOT DISTINCT FROM s THEN
        RETURN false; -- already in that stage then
    END IF;
    INSERT INTO deal_stages (deal_id, stage, at, source) VALUES (d, s, t, src)
        ON CONFLICT (deal_id, at) DO UPDATE SET stage = excluded.stage, source = excluded.source;
    DELETE FROM deal_stages x USING (
        SELECT id, stage, lag(stage) OVER (ORDER BY at) AS prev
        FROM deal_stages WHERE deal_id = d) h
        WHERE x.id = h.id AND h.prev = h.stage;
    UPDATE deals SET stage = (SELECT stage FROM deal_stages WHERE deal_id = d
                              ORDER BY at DESC LIMIT 1), updated_at = now()
        WHERE id = d;
    PERFORM deal_spells_sync(d);
    RETURN true;
END $$;

-- A new share to a deal is an exposure of its spell at that time.
CREATE FUNCTION share_exposure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT NEW.asset_id, NEW.deal_id, sp.stage, sp.at, sp.left_at, sp.next_stage, NEW.created_at
    FROM deal_stages sp WHERE sp.deal_id = NEW.deal_id AND sp.at <= NEW.created_at
    ORDER BY sp.at DESC LIMIT 1
    ON CONFLICT (asset_id, deal_id, entered_at)
        DO UPDATE SET shared_at = least(exposures.shared_at, excluded.shared_at);
    RETURN NULL;
END $$;
CREATE TRIGGER shares_exposure AFTER INSERT ON shares
    FOR EACH ROW WHEN (NEW.deal_id IS NOT NULL) EXECUTE FUNCTION share_exposure();

-- Usage rollups. Shares and opens are folded in by id behind a high-water
-- mark (analytics_fold); readers add the rows past the mark (the *_now
-- views), so what they show is exact whatever the fold's lag.
ALTER TABLE shares ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE UNIQUE INDEX shares_seq ON shares (seq);
-- Small ranges: VACUUM leaves each partition's last, partial range
-- unsummarized, and every reader of the rows past the mark scans those.
CREATE INDEX opens_id ON opens USING brin (id) WITH (pages_per_range = 8, autosummarize = on);

-- The usage rollups, one row per (kind, day, id): per day (UTC) and
-- asset ('asset_day'), month and asset ('asset_month', day = its first
-- day), day and rep, month and rep, and per day in all ('day', id = the
-- nil uuid). Counted: shares made then, opens then (all and by people),
-- and shares made then that a person has opened since. A range of many
-- months reads whole months and only the days at its ends.
CREATE TABLE usage_rollup (
    kind          text NOT NULL
                  CHECK (kind IN ('asset_day', 'asset_month', 'rep_day', 'rep_month', 'day')),
    day           date NOT NULL,
    id            uuid NOT NULL,
    shares        bigint NOT NULL DEFAULT 0,
    opens         bigint NOT NULL DEFAULT 0,
    human_opens   bigint NOT NULL DEFAULT 0,
    opened_shares bigint NOT NULL DEFAULT 0,
    -- covering: a range of rows is read by an index-only scan
    PRIMARY KEY (kind, day, id) INCLUDE (shares, opens, human_opens, opened_shares)
);
-- Per asset, all time.
CREATE TABLE usage_asset (
    asset_id        uuid PRIMARY KEY,
    shares          bigint NOT NULL DEFAULT 0,
    opens           bigint NOT NULL DEFAULT 0,
    human_opens     bigint NOT NULL DEFAULT 0,
    opened_shares   bigint NOT NULL DEFAULT 0,
    last_shared_at  timestamptz
);
-- Shares a person has opened (folded): an open of one of these does not
-- make its share "opened" a second time.
CREATE TABLE opened_shares (share_id uuid PRIMARY KEY);

-- The fold's marks, per source table: rows with id <= done are in the
-- rollups. An id is taken before its row commits, so rows do not commit in
-- id order: a candidate mark (candidate, read at candidate_at) becomes
-- done only once every transaction that was running a while after it was
-- read (xid < horizon) has ended.
CREATE TABLE rollup_marks (
    source       text PRIMARY KEY CHECK (source IN ('shares', 'opens')),
    done         bigint NOT NULL DEFAULT 0,
    candidate    bigint,
    candidate_at timestamptz,
    horizon      xid8
);
INSERT INTO rollup_marks (source) VALUES ('shares'), ('opens');

-- The rollup rows of the shares with seq in (lo, hi] and opens with id in
-- (lo2, hi2], as deltas (usage_rows groups them as the rollups do). The
-- share-opened delta only counts shares not yet in opened_shares (the
-- first person's open among the given opens).
CREATE FUNCTION usage_delta(lo bigint, hi bigint, lo2 bigint, hi2 bigint)
RETURNS TABLE (day date, asset_id uuid, rep_id uuid, shares bigint, opens bigint,
               human_opens bigint, opened_shares bigint, last_shared_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH o AS MATERIALIZED (SELECT share_id, at, is_bot FROM opens
                            WHERE id > lo2 AND id <= hi2)
    SELECT (s.created_at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 1, 0, 0, 0, s.created_at
    FROM shares s WHERE s.seq > lo AND s.seq <= hi
    UNION ALL
    SELECT (o.at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 0,
           count(*), count(*) FILTER (WHERE NOT o.is_bot), 0, NULL
    FROM o JOIN shares s ON s.id = o.share_id GROUP BY 1, 2, 3
    UNION ALL
    SELECT (s.created_at AT TIME ZONE 'UTC')::date, s.asset_id, s.rep_id, 0, 0, 0, 1, NULL
    FROM (SELECT DISTINCT share_id FROM o WHERE NOT is_bot) f
    JOIN shares s ON s.id = f.share_id
    WHERE NOT EXISTS (SELECT 1 FROM opened_shares x WHERE x.share_id = f.share_id)
$$;

-- usage_delta's rows grouped as the rollups are (kinds as in usage_rollup):
-- what the fold adds, and what readers add for the rows past the marks, so
-- that what they show is exact whatever the fold's lag.
CREATE FUNCTION usage_rows(lo bigint, hi bigint, lo2 bigint, hi2 bigint)
RETURNS TABLE (kind text, day date, id uuid, shares numeric, opens numeric,
               human_opens numeric, opened_shares numeric)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN GROUPING(d.asset_id) = 0 THEN
                    CASE WHEN GROUPING(d.day) = 0 THEN 'asset_day' ELSE 'asset_month' END
                WHEN GROUPING(d.rep_id) = 0 THEN
                    CASE WHEN GROUPING(d.day) = 0 THEN 'rep_day' ELSE 'rep_month' END
                ELSE 'day' END,
           coalesce(d.day, d.month),
           coalesce(d.asset_id, d.rep_id, '00000000-0000-0000-0000-000000000000'),
           sum(d.shares), sum(d.opens), sum(d.human_opens), sum(d.opened_shares)
    FROM (SELECT *, date_trunc('month', x.day)::date AS month
          FROM usage_delta(lo, hi, lo2, hi2) x) d
    GROUP BY GROUPING SETS ((d.day, d.asset_id), (d.month, d.asset_id), (d.day, d.rep_id),
                            (d.month, d.rep_id), (d.day))
$$;
-- The rows past the marks, and per asset all time (rollup plus those).
CREATE VIEW usage_now AS
    SELECT d.* FROM rollup_marks ms, rollup_marks mo,
        usage_delta(ms.done, 9223372036854775807, mo.done, 9223372036854775807) d
    WHERE ms.source = 'shares' AND mo.source = 'opens';
CREATE VIEW usage_asset_now AS
    SELECT asset_id, sum(shares) AS shares, sum(opens) AS opens,
           sum(human_opens) AS human_opens, sum(opened_shares) AS opened_shares,
           max(last_shared_at) AS last_shared_at
    FROM (SELECT asset_id, shares, opens, human_opens, opened_shares, last_shared_at
          FROM usage_asset
          UNION ALL
          SELECT asset_id, shares, opens, human_opens, opened_shares, last_shared_at
          FROM usage_now) u
    GROUP BY asset_id;

-- Adds the shares with seq in (lo, hi] and the opens with id in (lo2, hi2]
-- to the rollups.
CREATE FUNCTION usage_fold_range(lo bigint, hi bigint, lo2 bigint, hi2 bigint) RETURNS void
LANGUAGE sql SET work_mem = '64MB' AS $$
    WITH r AS MATERIALIZED (SELECT * FROM usage_rows(lo, hi, lo2, hi2)),
    up AS (INSERT INTO usage_rollup AS u SELECT * FROM r
           ON CONFLICT (kind, day, id) DO UPDATE SET shares = u.shares + excluded.shares,
               opens = u.opens + excluded.opens,
               human_opens = u.human_opens + excluded.human_opens,
               opened_shares = u.opened_shares + excluded.opened_shares)
    INSERT INTO usage_asset AS u
        SELECT r.id, sum(r.shares), sum(r.opens), sum(r.human_opens), sum(r.opened_shares),
               max(l.at)
        FROM r LEFT JOIN (SELECT asset_id, max(created_at) AS at FROM shares
                          WHERE seq > lo AND seq <= hi GROUP BY 1) l ON l.asset_id = r.id
        WHERE r.kind = 'asset_month' GROUP BY r.id
        ON CONFLICT (asset_id) DO UPDATE SET shares = u.shares + excluded.shares,
            opens = u.opens + excluded.opens, human_opens = u.human_opens + excluded.human_opens,
            opened_shares = u.opened_shares + excluded.opened_shares,
            last_shared_at = greatest(u.last_shared_at, excluded.last_shared_at);
    INSERT INTO opened_shares
        SELECT DISTINCT share_id FROM opens WHERE id > lo2 AND id <= hi2 AND NOT is_bot
        ON CONFLICT DO NOTHING;
$$;

-- Folds what is safe to fold into the rollups; cheap when nothing is new.
-- Run every few seconds by the server (any number of servers may run it:
-- the marks' row locks serialise them).
CREATE FUNCTION analytics_fold() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    snap pg_snapshot := pg_current_snapshot(); -- before this transaction writes
    ms rollup_marks;
    mo rollup_marks;
    rs boolean; -- the shares' candidate mark is safe
    ro boolean;
    hs bigint;  -- the shares' new mark
    ho bigint;
BEGIN
    SELECT * INTO ms FROM rollup_marks WHERE source = 'shares' FOR UPDATE;
    SELECT * INTO mo FROM rollup_marks WHERE source = 'opens' FOR UPDATE;
    rs := coalesce(ms.horizon <= pg_snapshot_xmin(snap), false);
    ro := coalesce(mo.horizon <= pg_snapshot_xmin(snap), false);
    hs := CASE WHEN rs THEN ms.candidate ELSE ms.done END;
    ho := CASE WHEN ro THEN mo.candidate ELSE mo.done END;
    IF hs > ms.done OR ho > mo.done THEN
        PERFORM usage_fold_range(ms.done, hs, mo.done, ho);
    END IF;
    -- A mark read now is safe once the transactions running a second from
    -- now have ended: an id is taken a moment before its transaction
    -- writes, so one that predates the mark may not have an xid yet.
    UPDATE rollup_marks m SET done = CASE m.source WHEN 'shares' THEN hs ELSE ho END,
        candidate = CASE WHEN h.ready THEN NULL ELSE m.candidate END,
        horizon = CASE WHEN h.ready THEN NULL
                       WHEN m.candidate IS NOT NULL AND m.horizon IS NULL
                            AND m.candidate_at < clock_timestamp() - interval '1 second'
                       THEN pg_snapshot_xmax(pg_current_snapshot()) ELSE m.horizon END
    FROM (VALUES ('shares', rs), ('opens', ro)) h (source, ready)
    WHERE m.source = h.source;
    UPDATE rollup_marks m SET candidate = n.top, candidate_at = clock_timestamp()
    FROM (SELECT 'shares' AS source, (SELECT max(seq) FROM shares) AS top
          UNION ALL SELECT 'opens', (SELECT max(id) FROM opens)) n
    WHERE m.source = n.source AND m.candidate IS NULL AND n.top > m.done;
END $$;

-- The verdicts of the last full next-stage test with default parameters
-- (the server refreshes it periodically): what search sorts by lift, the
-- unused list, the coverage matrix and recommendations read.
CREATE TABLE stage_verdicts (
    asset_id    uuid NOT NULL REFERENCES assets ON DELETE CASCADE,
    stage       text NOT NULL REFERENCES stages ON UPDATE CASCADE ON DELETE CASCADE,
    exposures   integer NOT NULL,
    advanced    integer NOT NULL,
    lift        double precision,
    ci_low      double precision,
    ci_high     double precision,
    verdict     text NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (asset_id, stage)
);

-- Recomputes every spell, exposure and rollup from the timelines, shares
-- and opens (for this migration and bulk loads that bypass the functions
-- above). Run it while nothing else writes shares or opens.
CREATE FUNCTION analytics_rebuild() RETURNS void
LANGUAGE sql SET work_mem = '64MB' AS $$
    UPDATE deal_stages x SET left_at = h.l, next_stage = h.n
    FROM (SELECT id, lead(at) OVER w AS l, lead(stage) OVER w AS n
          FROM deal_stages WINDOW w AS (PARTITION BY deal_id ORDER BY at)) h
    WHERE x.id = h.id AND (x.left_at, x.next_stage) IS DISTINCT FROM (h.l, h.n);
    TRUNCATE exposures;
    INSERT INTO exposures (asset_id, deal_id, stage, entered_at, left_at, next_stage, shared_at)
    SELECT s.asset_id, s.deal_id, sp.stage, sp.at, sp.left_at, sp.next_stage, min(s.created_at)
    FROM shares s
    CROSS JOIN LATERAL (SELECT * FROM deal_stages ds WHERE ds.deal_id = s.deal_id
                        AND ds.at <= s.created_at ORDER BY ds.at DESC LIMIT 1) sp
    WHERE s.deal_id IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6;
    TRUNCATE usage_rollup, usage_asset, opened_shares;
    UPDATE rollup_marks SET candidate = NULL, candidate_at = NULL, horizon = NULL,
        done = CASE source WHEN 'shares' THEN (SELECT coalesce(max(seq), 0) FROM shares)
                           ELSE (SELECT coalesce(max(id), 0) FROM opens) END;
    SELECT usage_fold_range(0, (SELECT done FROM rollup_marks WHERE source = 'shares'),
                            0, (SELECT done FROM rollup_marks WHERE source = 'opens'));
$$;
SELECT analytics_rebuild();

-- The usage and verdicts shown with one asset (GET /assets/{id}): its
-- rollup plus its own rows past the marks, found from its shares by index
-- (not usage_asset_now, which reads every row past the marks).
CREATE FUNCTION asset_usage_json(asset uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT (SELECT done FROM rollup_marks WHERE source = 'shares') AS shares,
                      (SELECT done FROM rollup_marks WHERE source = 'opens') AS opens),
    s AS (SELECT id, seq, created_at FROM shares WHERE asset_id = asset),
    t AS (SELECT count(*) FILTER (WHERE s.seq > m.shares) AS shares,
                 max(s.created_at) FILTER (WHERE s.seq > m.shares) AS last_shared_at
          FROM s, m),
    o AS (SELECT count(*) AS opens, count(*) FILTER (WHERE NOT o.is_bot) AS human_opens
          FROM s JOIN opens o ON o.share_id = s.id, m WHERE o.id > m.opens)
    SELECT jsonb_build_object(
        'shares', coalesce(u.shares, 0) + t.shares, 'opens', coalesce(u.opens, 0) + o.opens,
        'human_opens', coalesce(u.human_opens, 0) + o.human_opens,
        'last_shared_at', rfc3339(greatest(u.last_shared_at, t.last_shared_at)),
        'verdicts', coalesce((SELECT jsonb_agg(jsonb_build_object('stage', v.stage,
                'exposures', v.exposures, 'advanced', v.advanced, 'lift', v.lift,
                'ci_low', v.ci_low, 'ci_high', v.ci_high, 'verdict', v.verdict,
                'computed_at', rfc3339(v.computed_at)) ORDER BY st.position)
            FROM stage_verdicts v JOIN stages st ON st.slug = v.stage
            WHERE v.asset_id = asset), '[]'))
    FROM t, o LEFT JOIN usage_asset u ON u.asset_id = asset
$$;

-- One asset as the API shows it alone (lists show asset_json).
CREATE FUNCTION asset_detail_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a) || jsonb_build_object('usage', asset_usage_json(a.id))
$$;
