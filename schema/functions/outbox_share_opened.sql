-- share.opened: a person (not a bot) opened a tracked link; with what is
-- known of the share's engagement at that moment: whether this is the
-- first open by a person (the share's earliest, read from its index,
-- where a count would read every open of a much-opened share; none that
-- retention removed either), and what the
-- viewer saw read. What is the same for every open of a share (its read,
-- its sentence) is worked out once per share of the statement, which may
-- hold many opens of one link.
CREATE OR REPLACE FUNCTION outbox_share_opened() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('share.opened') THEN
        PERFORM outbox_emit('share.opened', (WITH shared AS MATERIALIZED (
            SELECT s.id, jsonb_build_object('share_id', s.id, 'asset_id', s.asset_id,
                       'asset_title', a.title, 'version', s.version, 'deal_id', s.deal_id,
                       'deal_name', d.name, 'rep_id', s.rep_id, 'rep_name', u.name,
                       'rep_email', u.email, 'channel', s.channel,
                       'recipient_email', s.recipient_email) AS data,
                   jsonb_build_object('pages', r.pages, 'pages_viewed', r.viewed,
                       'seconds', round(r.seconds::numeric, 1)) AS engagement,
                   open_message(s.id) AS text,
                   EXISTS (SELECT 1 FROM retired_share_opens t
                           WHERE t.share_id = s.id AND t.human_opens > 0) AS retired
            FROM shares s
            JOIN assets a ON a.id = s.asset_id
            JOIN users u ON u.id = s.rep_id
            LEFT JOIN deals d ON d.id = s.deal_id
            LEFT JOIN LATERAL share_read(s.id) r ON true
            WHERE s.id IN (SELECT n.share_id FROM new_opens n WHERE NOT n.is_bot))
        SELECT coalesce(jsonb_agg(jsonb_build_object(
            'data', x.data || jsonb_build_object('opened_at', rfc3339(n.at),
                'engagement', x.engagement || jsonb_build_object('first_open',
                    (SELECT o.at FROM opens o WHERE o.share_id = n.share_id AND NOT o.is_bot
                     ORDER BY o.at LIMIT 1) = n.at
                    AND n.id = (SELECT min(m.id) FROM new_opens m
                                WHERE m.share_id = n.share_id AND NOT m.is_bot AND m.at = n.at)
                    AND NOT x.retired)),
            'text', x.text) ORDER BY n.id), '[]')
        FROM new_opens n JOIN shared x ON x.id = n.share_id
        WHERE NOT n.is_bot));
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER opens_outbox AFTER INSERT ON opens
    REFERENCING NEW TABLE AS new_opens FOR EACH STATEMENT EXECUTE FUNCTION outbox_share_opened();
