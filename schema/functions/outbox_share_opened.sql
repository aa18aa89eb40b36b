-- share.opened: a person (not a bot) opened a tracked link; with what is
-- known of the share's engagement at that moment.
CREATE OR REPLACE FUNCTION outbox_share_opened() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('share.opened') THEN
        PERFORM outbox_emit('share.opened', coalesce(jsonb_agg(jsonb_build_object(
            'data', jsonb_build_object('share_id', s.id, 'opened_at', rfc3339(n.at),
                'asset_id', s.asset_id, 'asset_title', a.title, 'version', s.version,
                'deal_id', s.deal_id, 'deal_name', d.name, 'rep_id', s.rep_id,
                'rep_name', u.name, 'rep_email', u.email, 'channel', s.channel,
                'recipient_email', s.recipient_email,
                'engagement', jsonb_build_object(
                    'human_opens', (SELECT count(*) FROM opens o
                                    WHERE o.share_id = s.id AND NOT o.is_bot)
                        + coalesce((SELECT r.human_opens FROM retired_share_opens r
                                    WHERE r.share_id = s.id), 0),
                    'pages', r.pages, 'pages_viewed', r.viewed,
                    'seconds', round(r.seconds::numeric, 1))),
            'text', open_message(s.id)) ORDER BY n.id), '[]'))
        FROM new_opens n
        JOIN shares s ON s.id = n.share_id
        JOIN assets a ON a.id = s.asset_id
        JOIN users u ON u.id = s.rep_id
        LEFT JOIN deals d ON d.id = s.deal_id
        LEFT JOIN LATERAL share_read(s.id) r ON true
        WHERE NOT n.is_bot;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER opens_outbox AFTER INSERT ON opens
    REFERENCING NEW TABLE AS new_opens FOR EACH STATEMENT EXECUTE FUNCTION outbox_share_opened();
