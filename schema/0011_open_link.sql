-- A tracked-link request in one statement, run by the group-commit
-- writer: find the share by token, record the open if the link is live,
-- and say what to serve. Returns 'missing', 'gone', or the target as JSON
-- {id, url} for a link asset or {id, blob, size, version, sha256, mime,
-- filename} for a file. One round trip per open, inside the batch.
CREATE FUNCTION open_link(p_token text, p_hash bytea, p_ua text, p_bot text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s shares;
    target jsonb;
BEGIN
    SELECT * INTO s FROM shares WHERE token = p_token;
    IF s.id IS NULL THEN
        RETURN 'missing';
    END IF;
    IF s.revoked_at IS NOT NULL OR s.expires_at < now() THEN
        RETURN 'gone';
    END IF;
    PERFORM record_open(s.id, p_hash, p_ua, p_bot);
    SELECT CASE WHEN a.url IS NOT NULL THEN jsonb_build_object('id', s.id, 'url', a.url)
           ELSE jsonb_build_object('id', s.id, 'blob', v.blob_id, 'size', b.size,
                'version', v.number, 'sha256', encode(b.sha256, 'hex'), 'mime', v.mime,
                'filename', v.filename) END
    INTO target
    FROM assets a
    LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = s.version
    LEFT JOIN blobs b ON b.id = v.blob_id
    WHERE a.id = s.asset_id;
    RETURN target::text;
END $$;

-- record_open without work it does not need: the burst count only for a
-- share younger than 10 s, the notification only before the first one.
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
        burst := (SELECT count(DISTINCT o.share_id) FROM opens o
                  WHERE o.client_hash = p_hash AND o.at > p_at - interval '1 minute') >= 5;
    END IF;
    bot := p_bot IS NOT NULL OR burst;
    INSERT INTO opens (share_id, at, client_hash, ua_class, is_bot, bot_reason)
    VALUES (p_share, p_at, p_hash, p_ua, bot,
            CASE WHEN burst THEN 'burst: many links from one address' ELSE p_bot END);
    IF NOT bot AND NOT EXISTS (SELECT 1 FROM notifications n
                               WHERE n.share_id = s.id AND n.kind = 'share_opened') THEN
        INSERT INTO notifications (user_id, kind, message, share_id)
        SELECT s.rep_id, 'share_opened',
               coalesce(s.recipient_email, (SELECT name FROM deals WHERE id = s.deal_id),
                        'Someone') || ' opened ' || (SELECT title FROM assets WHERE id = s.asset_id),
               s.id
        ON CONFLICT (share_id) WHERE kind = 'share_opened' DO NOTHING;
    END IF;
    RETURN bot;
END $$;
