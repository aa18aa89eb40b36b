-- share.opened: a person (not a bot) opened a tracked link. The events of
-- the opens with id in (@lo, @hi] are written by the analytics fold
-- (analytics_fold.sql), in the transaction that moves its mark past them:
-- each open once, never lost, and nothing on the path of the open itself
-- (the tracked link answers as fast with a subscription as without). With
-- what is known of the share's engagement then: whether this is its first
-- open by a person (none removed by retention either) and what the viewer
-- saw read. What is the same for every open of a share (its read, its
-- sentence) is worked out once per share.
CREATE OR REPLACE FUNCTION outbox_share_opened(lo bigint, hi bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT outbox_wanted('share.opened') THEN
        RETURN;
    END IF;
    PERFORM outbox_emit('share.opened', (WITH new_opens AS MATERIALIZED (
        SELECT o.id, o.share_id, o.at FROM opens o WHERE o.id > lo AND o.id <= hi AND NOT o.is_bot),
    shared AS MATERIALIZED (
        SELECT s.id, jsonb_build_object('share_id', s.id, 'asset_id', s.asset_id,
                   'asset_title', a.title, 'version', s.version, 'deal_id', s.deal_id,
                   'deal_name', d.name, 'rep_id', s.rep_id, 'rep_name', u.name,
                   'rep_email', u.email, 'channel', s.channel,
                   'recipient_email', s.recipient_email) AS data,
               jsonb_build_object('pages', r.pages, 'pages_viewed', r.viewed,
                   'seconds', round(r.seconds::numeric, 1)) AS engagement,
               open_message(s.id) AS text,
               EXISTS (SELECT 1 FROM retired_share_opens t
                       WHERE t.share_id = s.id AND t.human_opens > 0) AS retired,
               (SELECT o.id FROM opens o WHERE o.share_id = s.id AND NOT o.is_bot
                ORDER BY o.at, o.id LIMIT 1) AS first_id
        FROM shares s
        JOIN assets a ON a.id = s.asset_id
        JOIN users u ON u.id = s.rep_id
        LEFT JOIN deals d ON d.id = s.deal_id
        LEFT JOIN LATERAL share_read(s.id) r ON true
        WHERE s.id IN (SELECT n.share_id FROM new_opens n))
    SELECT coalesce(jsonb_agg(jsonb_build_object(
        'data', x.data || jsonb_build_object('opened_at', rfc3339(n.at),
            'engagement', x.engagement
                          || jsonb_build_object('first_open', n.id = x.first_id AND NOT x.retired)),
        'text', x.text) ORDER BY n.id), '[]')
    FROM new_opens n JOIN shared x ON x.id = n.share_id));
END $$;
