-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Tracked-link opens, a batch at a time: the group-commit writer hands
-- every pending GET /s/{token} of a commit to ONE call of open_links()
-- instead of one open_link() call each. Backend CPU per open, not fsync,
-- was the limit.

DROP FUNCTION open_link(text, bytea, text, text);

-- The burst rule: whether a person-looking open at @p_at from the
-- address hashed @p_hash, of a share made less than 10 s before, is a
-- scanner sweeping a mailbox: the address opened 5 or more different
-- shares in the last minute, counting @p_earlier (shares of opens made by
-- the same statement, which it cannot see yet).
CREATE FUNCTION open_burst(p_hash bytea, p_at timestamptz, p_earlier uuid[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT x.share_id) >= 5
    FROM (SELECT o.share_id FROM opens o
          WHERE o.client_hash = p_hash AND o.at > p_at - interval '1 minute'
          UNION ALL
          SELECT unnest(p_earlier)) x
$$;

-- Notifies the rep who shared @p_share that a person opened it, once per
-- share: called for a share's first human open, and harmless for a later
-- one (another transaction may have notified meanwhile).
CREATE FUNCTION notify_first_open(p_share uuid) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO notifications (user_id, kind, message, share_id)
    SELECT s.rep_id, 'share_opened',
           coalesce(s.recipient_email, (SELECT name FROM deals WHERE id = s.deal_id), 'Someone')
               || ' opened ' || (SELECT title FROM assets WHERE id = s.asset_id),
           s.id
    FROM shares s
    WHERE s.id = p_share
    ON CONFLICT (share_id) WHERE kind = 'share_opened' DO NOTHING
$$;

-- record_open() (ingested opens) as in 0009, its rules now shared with
-- open_links().
CREATE OR REPLACE FUNCTION record_open(p_share uuid, p_hash bytea, p_ua text, p_bot text,
                                       p_at timestamptz DEFAULT now()) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    s shares;
    burst boolean := false;
    bot boolean;
BEGIN
    SELECT * INTO s FROM shares WHERE id = p_share;
    IF p_bot IS NULL AND p_hash IS NOT NULL AND p_at - s.created_at < interval '10 seconds' THEN
        burst := open_burst(p_hash, p_at, '{}');
    END IF;
    bot := p_bot IS NOT NULL OR burst;
    INSERT INTO opens (share_id, at, client_hash, ua_class, is_bot, bot_reason)
    VALUES (p_share, p_at, p_hash, p_ua, bot,
            CASE WHEN burst THEN 'burst: many links from one address' ELSE p_bot END);
    IF NOT bot AND NOT EXISTS (SELECT 1 FROM notifications n
                               WHERE n.share_id = s.id AND n.kind = 'share_opened') THEN
        PERFORM notify_first_open(s.id);
    END IF;
    RETURN bot;
END $$;

-- Opens of tracked links, one per element of the arrays (all of the same
-- length): @p_tokens the tokens asked for, @p_hashes the keyed hashes of
-- the client addresses (NULL: unknown), @p_uas the User-Agent classes,
-- @p_bots the bot reasons the server found (NULL: looks like a person).
-- Returns one row per element (in no particular order): its 1-based
-- position in @job and in @outcome 'missing' (unknown token), 'gone' (revoked or
-- expired) or the target as JSON, {id, url} for a link asset or {id,
-- blob, size, version, sha256, mime, filename} for a file (the pinned
-- version). Opens of live links are recorded as record_open() would,
-- each in turn: a bot reason or a burst (open_burst; the opens before it
-- in the arrays count) makes the open a bot's; the first open by a
-- person notifies the rep who shared, once (notify_first_open). Rows of
-- opens get their ids in input order. The burst check, rarely needed, is
-- a function call so that the plan of every call does not carry a scan
-- of each partition.
CREATE FUNCTION open_links(p_tokens text[], p_hashes bytea[], p_uas text[], p_bots text[])
RETURNS TABLE (job integer, outcome text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH req AS (
        SELECT t.n::integer AS n, t.hash, t.ua, t.bot, s.id AS share_id, s.created_at,
               s.asset_id, s.version,
               s.id IS NOT NULL AND s.revoked_at IS NULL
                   AND (s.expires_at IS NULL OR s.expires_at >= now()) AS live
        FROM unnest(p_tokens, p_hashes, p_uas, p_bots) WITH ORDINALITY AS t(token, hash, ua, bot, n)
        LEFT JOIN shares s ON s.token = t.token),
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
    -- A share opened by a person and not notified yet: a function call,
    -- rarely made, rather than an INSERT in every call's plan. Shares in
    -- id order: concurrent batches lock them in the same order.
    noted AS (
        SELECT count(notify_first_open(f.share_id)) AS n
        FROM (SELECT DISTINCT c.share_id FROM classed c
              WHERE c.bot IS NULL AND NOT c.burst
                AND NOT EXISTS (SELECT 1 FROM notifications o
                                WHERE o.share_id = c.share_id AND o.kind = 'share_opened')
              ORDER BY c.share_id) f)
    SELECT r.n,
           CASE WHEN r.share_id IS NULL THEN 'missing'
                WHEN NOT r.live THEN 'gone'
                WHEN a.url IS NOT NULL THEN jsonb_build_object('id', r.share_id, 'url', a.url)::text
                ELSE jsonb_build_object('id', r.share_id, 'blob', v.blob_id, 'size', b.size,
                         'version', v.number, 'sha256', encode(b.sha256, 'hex'), 'mime', v.mime,
                         'filename', v.filename)::text END
    FROM req r
    CROSS JOIN noted -- evaluated, once
    LEFT JOIN assets a ON a.id = r.asset_id AND r.live
    LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = r.version
    LEFT JOIN blobs b ON b.id = v.blob_id;
END $$;
