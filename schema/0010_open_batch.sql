-- Tracked-link opens, a batch at a time: the group-commit writer hands
-- every pending GET /s/{token} of a commit to ONE call of open_links()
-- instead of one open_link() call each. Backend CPU per open, not fsync,
-- was the limit.

DROP FUNCTION open_link(text, bytea, text, text);

-- Opens of tracked links, one per element of the arrays (all of the same
-- length): @p_tokens the tokens asked for, @p_hashes the keyed hashes of
-- the client addresses (NULL: unknown), @p_uas the User-Agent classes,
-- @p_bots the bot reasons the server found (NULL: looks like a person).
-- Returns one row per element, in input order: its 1-based position in
-- @job and in @outcome 'missing' (unknown token), 'gone' (revoked or
-- expired) or the target as JSON, {id, url} for a link asset or {id,
-- blob, size, version, sha256, mime, filename} for a file (the pinned
-- version). Opens of live links are recorded with record_open()'s rules
-- (schema/0009_events.sql; keep the two in step):
--  * a bot reason or a burst makes the open a bot's. A burst is a
--    person-looking open less than 10 s after the share from an address
--    that opened 5 or more different shares in the last minute; the
--    opens of the batch before this one count, as they would have were
--    each open a statement of its own in the same transaction;
--  * the first open by a person notifies the rep who shared, once.
-- Rows of opens get their ids in input order.
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
                    THEN (SELECT count(DISTINCT x.share_id) FROM (
                              SELECT o.share_id FROM opens o
                              WHERE o.client_hash = r.hash AND o.at > now() - interval '1 minute'
                              UNION ALL
                              SELECT e.share_id FROM req e
                              WHERE e.live AND e.hash = r.hash AND e.n < r.n) x) >= 5
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
        INSERT INTO notifications (user_id, kind, message, share_id)
        SELECT s.rep_id, 'share_opened',
               coalesce(s.recipient_email, (SELECT d.name FROM deals d WHERE d.id = s.deal_id),
                        'Someone') || ' opened ' || (SELECT a.title FROM assets a WHERE a.id = s.asset_id),
               s.id
        FROM shares s
        WHERE s.id IN (SELECT c.share_id FROM classed c WHERE c.bot IS NULL AND NOT c.burst)
          AND NOT EXISTS (SELECT 1 FROM notifications o
                          WHERE o.share_id = s.id AND o.kind = 'share_opened')
        ORDER BY s.id -- the same lock order in concurrent batches: no deadlock
        ON CONFLICT (share_id) WHERE kind = 'share_opened' DO NOTHING)
    SELECT r.n,
           CASE WHEN r.share_id IS NULL THEN 'missing'
                WHEN NOT r.live THEN 'gone'
                WHEN a.url IS NOT NULL THEN jsonb_build_object('id', r.share_id, 'url', a.url)::text
                ELSE jsonb_build_object('id', r.share_id, 'blob', v.blob_id, 'size', b.size,
                         'version', v.number, 'sha256', encode(b.sha256, 'hex'), 'mime', v.mime,
                         'filename', v.filename)::text END
    FROM req r
    LEFT JOIN assets a ON a.id = r.asset_id AND r.live
    LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = r.version
    LEFT JOIN blobs b ON b.id = v.blob_id
    ORDER BY r.n;
END $$;
