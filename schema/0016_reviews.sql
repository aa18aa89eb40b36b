-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- The editorial board: what is wrong with each published asset and since
-- when (the review queue and the unused list share it), the evidence a
-- decision is made on, and the decisions themselves, never deleted.

-- When a stage's verdict became what it is (not when it was last
-- recomputed): how long an asset has been failing.
ALTER TABLE stage_verdicts ADD COLUMN verdict_since timestamptz NOT NULL DEFAULT now();

-- A refresh decision asks the asset's owner for a new edition.
ALTER TABLE content_requests
    ADD COLUMN assignee uuid REFERENCES users,
    ADD COLUMN refreshes uuid REFERENCES assets;

CREATE OR REPLACE FUNCTION request_json(q content_requests) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', q.id, 'title', q.title, 'persona', q.persona,
        'stage', q.stage, 'deal_id', q.deal_id, 'detail', q.detail, 'requester', q.requester,
        'assignee', q.assignee, 'refreshes', q.refreshes,
        'status', q.status, 'asset_id', q.asset_id, 'decline_reason', q.decline_reason,
        'created_at', rfc3339(q.created_at), 'updated_at', rfc3339(q.updated_at))
$$;

-- Every published asset with what is wrong with it (DESIGN.md "Unused
-- content", with @p_days and @p_grace): @reasons the unused reasons,
-- @judged 'hurts' and 'no_effect' when some stage has that verdict, and
-- @since the oldest of those problems (when the grace ran out, when the
-- asset went stale, its first share, when a stage began failing, when it
-- expired). A stage counts as tested when its verdict is a judgement (not
-- insufficient data).
CREATE FUNCTION asset_problems(p_days integer, p_grace integer)
RETURNS TABLE (asset_id uuid, reasons text[], judged text[], since timestamptz, shares bigint,
               opens bigint, human_opens bigint, last_shared_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT a.id, r.reasons, j.judged,
           least(CASE WHEN 'never_shared' = ANY (r.reasons)
                      THEN a.published_at + make_interval(days => p_grace) END,
                 CASE WHEN 'stale' = ANY (r.reasons)
                      THEN u.last_shared_at + make_interval(days => p_days) END,
                 CASE WHEN 'never_opened' = ANY (r.reasons)
                      THEN (SELECT min(s.created_at) FROM shares s WHERE s.asset_id = a.id) END,
                 CASE WHEN 'fails_stage_test' = ANY (r.reasons) OR cardinality(j.judged) > 0
                      THEN v.failing_since END,
                 CASE WHEN 'expired' = ANY (r.reasons) THEN a.expires_at END),
           coalesce(u.shares, 0), coalesce(u.opens, 0), coalesce(u.human_opens, 0),
           u.last_shared_at
    FROM assets a
    LEFT JOIN usage_asset_now u ON u.asset_id = a.id
    LEFT JOIN (SELECT x.asset_id,
                      count(*) FILTER (WHERE x.verdict IN ('moves_deals', 'no_effect', 'hurts'))
                          AS tested,
                      count(*) FILTER (WHERE x.verdict IN ('no_effect', 'hurts')) AS failing,
                      bool_or(x.verdict = 'hurts') AS hurts,
                      bool_or(x.verdict = 'no_effect') AS no_effect,
                      min(x.verdict_since) FILTER (WHERE x.verdict IN ('no_effect', 'hurts'))
                          AS failing_since
               FROM stage_verdicts x GROUP BY x.asset_id) v ON v.asset_id = a.id
    CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
        CASE WHEN coalesce(u.shares, 0) = 0
                  AND a.published_at <= now() - make_interval(days => p_grace)
             THEN 'never_shared' END,
        CASE WHEN u.shares > 0 AND u.last_shared_at < now() - make_interval(days => p_days)
             THEN 'stale' END,
        CASE WHEN u.shares > 0 AND u.human_opens = 0 THEN 'never_opened' END,
        CASE WHEN v.tested > 0 AND v.failing = v.tested THEN 'fails_stage_test' END,
        CASE WHEN a.expires_at < now() THEN 'expired' END], NULL) AS reasons) r
    CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
        CASE WHEN v.hurts THEN 'hurts' END,
        CASE WHEN v.no_effect THEN 'no_effect' END], NULL) AS judged) j
    WHERE a.status = 'published'
$$;

-- What the board sees of one asset, and what a decision stores: its usage
-- and verdicts per stage (asset_usage_json), its feedback, the content
-- requests it fulfilled, its owner and its dates.
CREATE FUNCTION review_evidence(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_usage_json(a.id) || jsonb_build_object(
        'feedback', feedback_summary_json(a.id),
        'fulfilled_requests', coalesce((SELECT jsonb_agg(jsonb_build_object('id', q.id,
                'title', q.title, 'requester', q.requester, 'persona', q.persona,
                'stage', q.stage, 'fulfilled_at', rfc3339(q.updated_at))
                ORDER BY q.updated_at, q.id)
            FROM content_requests q WHERE q.asset_id = a.id AND q.status = 'fulfilled'), '[]'),
        'owner', (SELECT jsonb_build_object('id', o.id, 'name', o.name, 'email', o.email)
                  FROM users o WHERE o.id = a.owner),
        'published_at', rfc3339(a.published_at), 'expires_at', rfc3339(a.expires_at))
$$;

-- The part of the evidence whose change is news: shares, opens by people,
-- the verdict of each stage, feedback and fulfilled requests. A kept
-- asset comes back to the queue early when it differs from the snapshot.
CREATE FUNCTION review_evidence_key(e jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('shares', e->'shares', 'human_opens', e->'human_opens',
        'verdicts', (SELECT jsonb_object_agg(v->>'stage', v->>'verdict')
                     FROM jsonb_array_elements(e->'verdicts') v),
        'feedback', (e->'feedback') - 'comments',
        'fulfilled', jsonb_array_length(e->'fulfilled_requests'))
$$;

CREATE TABLE review_decisions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id      uuid NOT NULL REFERENCES assets,
    decision      text NOT NULL
                  CHECK (decision IN ('keep', 'refresh', 'archive', 'retire', 'restore')),
    note          text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    actor         uuid NOT NULL REFERENCES users,
    status_before text NOT NULL,
    status_after  text NOT NULL,
    snoozed_until timestamptz,
    request_id    uuid REFERENCES content_requests,
    evidence      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX review_decisions_asset ON review_decisions (asset_id, id DESC);
CREATE TRIGGER review_decisions_audit AFTER INSERT ON review_decisions
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');

-- Decisions are history: never changed, never deleted.
CREATE FUNCTION review_decisions_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review decisions are never changed or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER review_decisions_frozen BEFORE UPDATE OR DELETE ON review_decisions
    FOR EACH ROW EXECUTE FUNCTION review_decisions_frozen();

-- The status @decision leaves an asset in, from @status; NULL when the
-- decision makes no sense there (keep or refresh what is not published,
-- archive what is not published, restore what is published or a draft).
CREATE FUNCTION review_outcome(status text, decision text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'published' AND decision IN ('keep', 'refresh') THEN 'published'
                WHEN status = 'published' AND decision = 'archive' THEN 'archived'
                WHEN status IN ('published', 'archived') AND decision = 'retire' THEN 'retired'
                WHEN status IN ('archived', 'retired') AND decision = 'restore' THEN 'published'
           END
$$;

CREATE FUNCTION review_decision_json(d review_decisions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', d.id, 'asset_id', d.asset_id, 'decision', d.decision,
        'note', d.note, 'actor', d.actor, 'status_before', d.status_before,
        'status_after', d.status_after, 'snoozed_until', rfc3339(d.snoozed_until),
        'request', (SELECT request_json(q) FROM content_requests q WHERE q.id = d.request_id),
        'evidence', d.evidence, 'created_at', rfc3339(d.created_at))
$$;

-- Tracked links of a retired asset answer 'retired' (410) and record no
-- open; otherwise as in 0010 (the asset, now read with the share, is read
-- once).
CREATE OR REPLACE FUNCTION open_links(p_tokens text[], p_hashes bytea[], p_uas text[],
                                      p_bots text[])
RETURNS TABLE (job integer, outcome text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH req AS (
        SELECT t.n::integer AS n, t.hash, t.ua, t.bot, s.id AS share_id, s.created_at,
               s.asset_id, s.version, a.url, a.status = 'retired' AS retired,
               s.id IS NOT NULL AND s.revoked_at IS NULL AND a.status <> 'retired'
                   AND (s.expires_at IS NULL OR s.expires_at >= now()) AS live
        FROM unnest(p_tokens, p_hashes, p_uas, p_bots) WITH ORDINALITY AS t(token, hash, ua, bot, n)
        LEFT JOIN shares s ON s.token = t.token
        LEFT JOIN assets a ON a.id = s.asset_id),
    classed AS (
        SELECT r.n, r.share_id, r.hash, r.ua, r.bot,
               CASE WHEN r.bot IS NULL AND r.hash IS NOT NULL
                         AND now() - r.created_at < interval '10 seconds'
                    THEN open_burst(r.hash, now(),
                                    ARRAY(SELECT e.share_id FROM req e
                                          WHERE e.live AND e.hash = r.hash AND e.n < r.n))
                    ELSE false END AS burst
        FROM req r
        WHERE r.live),
    recorded AS (
        INSERT INTO opens (share_id, at, client_hash, ua_class, is_bot, bot_reason)
        SELECT c.share_id, now(), c.hash, c.ua, c.bot IS NOT NULL OR c.burst,
               CASE WHEN c.burst THEN 'burst: many links from one address' ELSE c.bot END
        FROM classed c
        ORDER BY c.n),
    noted AS (
        SELECT count(notify_first_open(f.share_id)) AS n
        FROM (SELECT DISTINCT c.share_id FROM classed c
              WHERE c.bot IS NULL AND NOT c.burst
                AND NOT EXISTS (SELECT 1 FROM notifications o
                                WHERE o.share_id = c.share_id AND o.kind = 'share_opened')
              ORDER BY c.share_id) f)
    SELECT r.n,
           CASE WHEN r.share_id IS NULL THEN 'missing'
                WHEN r.retired THEN 'retired'
                WHEN NOT r.live THEN 'gone'
                WHEN r.url IS NOT NULL THEN jsonb_build_object('id', r.share_id, 'url', r.url)::text
                ELSE jsonb_build_object('id', r.share_id, 'blob', v.blob_id, 'size', b.size,
                         'version', v.number, 'sha256', encode(b.sha256, 'hex'), 'mime', v.mime,
                         'filename', v.filename)::text END
    FROM req r
    CROSS JOIN noted -- evaluated, once
    LEFT JOIN asset_versions v ON v.asset_id = r.asset_id AND v.number = r.version AND r.live
    LEFT JOIN blobs b ON b.id = v.blob_id;
END $$;
