-- Merges a CSV import into the deals and their stage histories, in a few
-- set-based statements whatever the file's length. Reads the temporary
-- table import_rows, which the import's reader (server/db/imports.c)
-- creates and fills by COPY, one row per stage move the file states:
--   line          the file's line of the record
--   key           what names the deal: its external id, or, when the file
--                 has none, 'n:' || lower(name) || E'\x1f' || lower(account)
--   ext, name, account, owner (a user id), amount, created
--                 the deal's fields on that record (NULL: not given)
--   stage_text, stage_column
--                 the stage as the file names it, and the column it is in
--   at            when the deal entered that stage (see import_time());
--   close_at, modified_at
--                 the record's close and last-modified times: when a
--                 record's own move has no time of its own
--   main          the record's own stage (false: a HubSpot "Date entered"
--                 column of the same record)
--   explicit      the record says which stage the deal came from (a
--                 Salesforce history's From Stage), so a move back is meant
--
-- History is a set of dated transitions, never a replay of the file: a
-- transition already known changes nothing, an older one is inserted in
-- time order, the current stage is always the latest in time, and a
-- transition that contradicts what is known is reported and not applied:
-- another stage at the same time, or a move back to an earlier stage that
-- the file does not state (the deal was in a later stage by then, and the
-- file neither has it there nor says it came from there). A deal's name,
-- account, owner and amount are taken from its latest record in the file,
-- and applied to a known deal unless the file is older than its history.
--
-- Returns the report: {created, updated, transitions, changed_lines,
-- refused_lines, errors: [{line, field, column, message}] (the first
-- @p_errors_max by line), error_count, stages_unknown: [{stage, count}]}.
-- Times without an offset are in the zone @p_tz.
CREATE OR REPLACE FUNCTION import_merge(p_tz text, p_errors_max integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    n_created integer;
    n_updated integer;
    n_added integer;
    n_known integer;
    unknown jsonb;
BEGIN
    CREATE TEMP TABLE import_errors (line integer, field text, col text, message text)
        ON COMMIT DROP;

    -- Each stage name resolved once; each time read in the file's zone.
    -- A record's own move without a time of its own entered the stage
    -- when its "Date entered" column of that stage says, else (a closed
    -- deal) at its close date, else when it was last modified, else when
    -- it was created, else now.
    CREATE TEMP TABLE import_moves ON COMMIT DROP AS
    WITH names AS (SELECT x.n, s.slug AS stage, s.outcome IS NOT NULL AS closed
                   FROM (SELECT DISTINCT stage_text AS n FROM import_rows) x
                   LEFT JOIN stages s ON s.slug = resolve_stage(x.n)),
    entered AS (SELECT r.line, n.stage, min(import_time(r.at, p_tz)) AS at
                FROM import_rows r JOIN names n ON n.n = r.stage_text
                WHERE NOT r.main AND n.stage IS NOT NULL GROUP BY r.line, n.stage)
    SELECT r.line, r.key, r.ext, r.name, r.account, r.owner, r.amount, r.main, r.explicit,
           r.stage_text, r.stage_column, n.stage,
           coalesce(import_time(r.at, p_tz), e.at,
                    CASE WHEN n.closed THEN import_time(r.close_at, p_tz) END,
                    import_time(r.modified_at, p_tz), import_time(r.created, p_tz), now()) AS at,
           import_time(r.created, p_tz) AS created
    FROM import_rows r JOIN names n ON n.n = r.stage_text
    LEFT JOIN entered e ON r.main AND e.line = r.line AND e.stage = n.stage;
    -- (Not analyzed: each statement below reads it whole, whatever its
    -- statistics; ANALYZE of 100,000 moves costs a tenth of a second.)

    SELECT coalesce(jsonb_agg(jsonb_build_object('stage', stage_text, 'count', n)
                              ORDER BY n DESC, stage_text), '[]')
    INTO unknown
    FROM (SELECT stage_text, count(*) AS n FROM import_moves WHERE stage IS NULL
          GROUP BY stage_text) u;
    INSERT INTO import_errors
    SELECT line, 'stage', stage_column,
           left(stage_text, 100) || ' is not a stage or a known alias'
    FROM import_moves WHERE stage IS NULL;
    -- A record whose own stage is unknown is refused whole.
    DELETE FROM import_moves m WHERE m.stage IS NULL
        OR m.line IN (SELECT line FROM import_moves WHERE main AND stage IS NULL);

    -- One row per deal of the file, its fields from its latest record,
    -- with an id of its own until it matches a known deal. The records
    -- reach the aggregates latest first (a sorted subquery: one sort for
    -- all of them, where an ORDER BY in each aggregate sorts once each).
    CREATE TEMP TABLE import_keys ON COMMIT DROP AS
    SELECT key, min(ext) AS ext,
           left((array_agg(name) FILTER (WHERE name IS NOT NULL))[1], 300) AS name,
           left((array_agg(account) FILTER (WHERE account IS NOT NULL))[1], 300) AS account,
           (array_agg(owner) FILTER (WHERE owner IS NOT NULL))[1] AS owner,
           (array_agg(amount) FILTER (WHERE amount IS NOT NULL))[1] AS amount,
           (array_agg(stage))[1] AS stage,
           least(min(created), min(at)) AS created, max(at) AS latest, min(line) AS line,
           gen_random_uuid() AS deal_id, true AS is_new, 0::bigint AS matches
    FROM (SELECT key, ext, name, account, owner, amount, stage, created, at, line
          FROM import_moves ORDER BY key, at DESC, line DESC) m GROUP BY key;
    CREATE UNIQUE INDEX ON import_keys (key);

    UPDATE import_keys k SET deal_id = d.id, is_new = false FROM deals d
    WHERE k.ext IS NOT NULL AND d.external_id = k.ext;
    -- Without an id, by name and account: one deal only. (Analyzed first:
    -- the planner's guess for ext IS NULL is a few keys, and a few keys
    -- would each scan the deals.)
    IF EXISTS (SELECT 1 FROM import_keys WHERE ext IS NULL) THEN
        ANALYZE import_keys;
    END IF;
    WITH m AS (SELECT k.key, min(d.id::text)::uuid AS id, count(*) AS n
               FROM import_keys k JOIN deals d ON lower(d.name) = lower(k.name)
                    AND lower(coalesce(d.account, '')) = lower(coalesce(k.account, ''))
               WHERE k.ext IS NULL GROUP BY k.key)
    UPDATE import_keys k SET deal_id = m.id, is_new = false, matches = m.n
    FROM m WHERE k.key = m.key;
    INSERT INTO import_errors
    SELECT line, 'name', NULL, 'matches ' || matches || ' deals by name and account: give the deal''s id'
    FROM import_keys WHERE matches > 1;
    DELETE FROM import_moves WHERE key IN (SELECT key FROM import_keys WHERE matches > 1);
    DELETE FROM import_keys WHERE matches > 1;
    SELECT count(*) INTO n_known FROM import_keys WHERE NOT is_new;
    -- With known deals, the statements below join them to deals and their
    -- histories: the planner must know how many there are (before the
    -- matching above, none were).
    IF n_known > 0 THEN
        ANALYZE import_keys;
    END IF;

    -- Known deals are locked (a webhook may move one meanwhile).
    IF n_known > 0 THEN
        PERFORM 1 FROM deals d JOIN import_keys k ON k.deal_id = d.id AND NOT k.is_new
            ORDER BY d.id FOR UPDATE OF d;
    END IF;

    -- The file's transitions, each once (its first line reported), less
    -- those that put a deal in two stages at one time, grouped once: a
    -- known deal's in import_cand, to be set against its history;
    -- a new deal's straight into its timeline, each entry written once
    -- with its spell (an entry repeating the stage before it dropped), the
    -- deal in the stage of its last entry. No share can point at them yet.
    CREATE TEMP TABLE import_cand (deal_id uuid, at timestamptz, stage text, line integer,
                                   explicit boolean, col text, position integer, is_new boolean)
        ON COMMIT DROP;
    CREATE TEMP TABLE import_fresh (deal_id uuid, at timestamptz, stage text, line integer,
                                    left_at timestamptz, next_stage text) ON COMMIT DROP;
    WITH c AS (SELECT k.deal_id, m.at, m.stage, min(m.line) AS line, bool_or(m.explicit) AS explicit,
                      min(m.stage_column) AS col, st.position, k.is_new,
                      count(*) OVER (PARTITION BY k.deal_id, m.at) AS stages_then
               FROM import_moves m JOIN import_keys k USING (key) JOIN stages st ON st.slug = m.stage
               GROUP BY k.deal_id, m.at, m.stage, st.position, k.is_new),
    two AS (INSERT INTO import_errors
            SELECT line, 'stage', col, 'the file has this deal in two stages at ' || rfc3339(at)
            FROM c WHERE stages_then > 1),
    known AS (INSERT INTO import_cand
              SELECT deal_id, at, stage, line, explicit, col, position, is_new FROM c
              WHERE NOT is_new AND stages_then = 1)
    INSERT INTO import_fresh
    SELECT deal_id, at, stage, line, lead(at) OVER w, lead(stage) OVER w
    FROM (SELECT c.*, lag(c.stage) OVER (PARTITION BY c.deal_id ORDER BY c.at) AS prev
          FROM c WHERE c.is_new AND c.stages_then = 1) x
    WHERE prev IS DISTINCT FROM stage
    WINDOW w AS (PARTITION BY deal_id ORDER BY at);
    IF n_known > 0 THEN
        ANALYZE import_cand;
    END IF;
    -- The lines that added a transition to a known deal (a new deal's are
    -- those of import_fresh).
    CREATE TEMP TABLE import_added (line integer) ON COMMIT DROP;
    -- Their audit rows are written here in one statement (the audit
    -- trigger's row at a time costs 0.5 s for 25,000 deals).
    PERFORM set_config('nextstage.audit', 'by_statement', true);
    WITH ins AS (INSERT INTO deals (id, external_id, name, account, owner, stage, amount, created_at)
                 SELECT k.deal_id, k.ext, coalesce(k.name, k.ext), k.account, k.owner,
                        coalesce(f.stage, k.stage), k.amount, k.created
                 FROM import_keys k LEFT JOIN import_fresh f ON f.deal_id = k.deal_id AND f.left_at IS NULL
                 WHERE k.is_new ORDER BY k.line
                 RETURNING *)
    INSERT INTO audit (actor, action, entity, entity_id, before, after)
    SELECT nullif(current_setting('nextstage.actor', true), '')::uuid, 'create', 'deals',
           ins.id::text, NULL, to_jsonb(ins)
    FROM ins;
    GET DIAGNOSTICS n_created = ROW_COUNT;
    PERFORM set_config('nextstage.audit', '', true);
    INSERT INTO deal_stages (deal_id, stage, at, source, left_at, next_stage)
    SELECT deal_id, stage, at, 'import', left_at, next_stage FROM import_fresh
    ORDER BY deal_id, at;
    GET DIAGNOSTICS n_added = ROW_COUNT;

    -- Known deals (a file of new deals skips all of this).
    n_updated := 0;
    IF n_known > 0 THEN
        -- What was known before this file: each deal's latest time, and its
        -- stages.
        CREATE TEMP TABLE import_known ON COMMIT DROP AS
        SELECT ds.deal_id, ds.at, ds.stage, st.position
        FROM deal_stages ds JOIN stages st ON st.slug = ds.stage
        WHERE ds.deal_id IN (SELECT deal_id FROM import_keys WHERE NOT is_new);
        CREATE INDEX ON import_known (deal_id, at);
        ANALYZE import_known;

        WITH latest AS (SELECT deal_id, max(at) AS at FROM import_known GROUP BY deal_id),
        up AS (UPDATE deals d SET name = coalesce(k.name, d.name),
                      account = coalesce(k.account, d.account), owner = coalesce(k.owner, d.owner),
                      amount = coalesce(k.amount, d.amount), updated_at = now()
               FROM import_keys k LEFT JOIN latest l ON l.deal_id = k.deal_id
               WHERE d.id = k.deal_id AND NOT k.is_new AND (l.at IS NULL OR k.latest >= l.at)
                 AND (d.name, d.account, d.owner, d.amount) IS DISTINCT FROM
                     (coalesce(k.name, d.name), coalesce(k.account, d.account),
                      coalesce(k.owner, d.owner), coalesce(k.amount, d.amount))
               RETURNING d.id)
        SELECT count(*) INTO n_updated FROM up;

        -- Against what is known: the stage in force just before (or at) it.
        CREATE TEMP TABLE import_clash ON COMMIT DROP AS
        SELECT c.*, k.stage AS known_stage, k.at AS known_at, k.position AS known_position
        FROM import_cand c
        CROSS JOIN LATERAL (SELECT * FROM import_known k WHERE k.deal_id = c.deal_id AND k.at <= c.at
                            ORDER BY k.at DESC LIMIT 1) k
        WHERE NOT c.is_new AND k.stage <> c.stage
          AND (k.at = c.at
               OR (k.position > c.position AND NOT c.explicit
                   AND NOT EXISTS (SELECT 1 FROM import_cand o WHERE o.deal_id = c.deal_id
                                   AND o.stage = k.stage AND o.at <= c.at)));
        INSERT INTO import_errors
        SELECT line, 'stage', col,
               format('contradicts the known history: the deal entered %s at %s, so it was not moved to %s at %s',
                      known_stage, rfc3339(known_at), stage, rfc3339(at))
        FROM import_clash;
        DELETE FROM import_cand c USING import_clash x
            WHERE c.deal_id = x.deal_id AND c.at = x.at AND c.stage = x.stage;

        CREATE TEMP TABLE import_known_added (id bigint, line integer) ON COMMIT DROP;
        WITH ins AS (INSERT INTO deal_stages (deal_id, stage, at, source)
                     SELECT deal_id, stage, at, 'import' FROM import_cand WHERE NOT is_new
                     ORDER BY deal_id, at
                     ON CONFLICT (deal_id, at) DO NOTHING
                     RETURNING id, deal_id, at)
        INSERT INTO import_known_added SELECT ins.id, c.line FROM ins
            JOIN import_cand c ON c.deal_id = ins.deal_id AND c.at = ins.at;
        IF FOUND THEN
            -- An entry repeating the stage before it is dropped (so an earlier
            -- entry of the same stage moves its start back).
            DELETE FROM deal_stages x USING (
                SELECT d.id, d.stage, lag(d.stage) OVER (PARTITION BY d.deal_id ORDER BY d.at) AS prev
                FROM deal_stages d
                WHERE d.deal_id IN (SELECT deal_id FROM import_keys WHERE NOT is_new)) h
            WHERE x.id = h.id AND h.prev = h.stage;
            DELETE FROM import_known_added a
                WHERE NOT EXISTS (SELECT 1 FROM deal_stages d WHERE d.id = a.id);
            n_added := n_added + (SELECT count(*) FROM import_known_added);
            INSERT INTO import_added SELECT line FROM import_known_added;
            UPDATE deals d SET stage = l.stage, updated_at = now()
            FROM (SELECT DISTINCT ON (d.deal_id) d.deal_id, d.stage FROM deal_stages d
                  WHERE d.deal_id IN (SELECT deal_id FROM import_keys WHERE NOT is_new)
                  ORDER BY d.deal_id, d.at DESC) l
            WHERE d.id = l.deal_id AND d.stage <> l.stage;
            PERFORM deals_spells_sync(ARRAY(SELECT DISTINCT deal_id FROM import_cand WHERE NOT is_new));
        END IF;
    END IF;

    RETURN jsonb_build_object(
        'created', n_created, 'updated', n_updated, 'transitions', n_added,
        'changed_lines', (SELECT count(*) FROM (SELECT line FROM import_fresh
                          UNION SELECT line FROM import_added
                          UNION SELECT line FROM import_keys WHERE is_new) x),
        'refused_lines', (SELECT count(DISTINCT line) FROM import_errors e
                          WHERE e.line NOT IN (SELECT line FROM import_fresh)
                            AND e.line NOT IN (SELECT line FROM import_added)
                            AND e.line NOT IN (SELECT line FROM import_keys WHERE is_new)),
        'error_count', (SELECT count(*) FROM import_errors),
        'errors', (SELECT coalesce(jsonb_agg(jsonb_build_object('line', line, 'field', field,
                       'column', col, 'message', message) ORDER BY line, field), '[]')
                   FROM (SELECT * FROM import_errors ORDER BY line, field LIMIT p_errors_max) e),
        'stages_unknown', unknown);
END $$;
