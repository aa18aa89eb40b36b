-- Records an open of share @p_share at @p_at (an ingested open, from
-- POST /api/v1/events); returns whether it was a bot's. A person-looking
-- open right after the share from an address that has opened many
-- different links in the last minute is a scanner sweeping a mailbox
-- (open_burst). The first open by a person notifies the rep who shared.
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
