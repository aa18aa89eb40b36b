-- Opens of tracked links, one per element of the arrays (all of the same
-- length): @p_tokens the tokens asked for, @p_hashes the keyed hashes of
-- the client addresses (NULL: unknown), @p_uas the User-Agent classes,
-- @p_bots the bot reasons the server found (NULL: looks like a person).
-- Returns one row per element (in no particular order): its 1-based
-- position in @job and in @outcome 'missing' (unknown token), 'gone' (revoked,
-- expired, or the asset became internal), 'retired' (the asset was retired by the board: 410, no open
-- recorded) or the target as JSON, {id, url} for a link asset or {id,
-- blob, size, version, sha256, mime, filename} for a file (the pinned
-- version). Opens of live links are recorded as record_open() would,
-- each in turn: a bot reason or a burst (open_burst; the opens before it
-- in the arrays count) makes the open a bot's; the first open by a
-- person notifies the rep who shared, once (notify_first_open). Rows of
-- opens get their ids in input order; the asset is read once, with its
-- share. The burst check, rarely needed, is a function call so that the
-- plan of every call does not carry a scan of each partition.
-- Called by the group-commit writers (server/db/writer.c).
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
                   AND a.audience = 'external'
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
