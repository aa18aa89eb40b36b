-- A share as the API shows it (the asset's title, the deal's and the
-- rep's names beside their ids), with what was read of it in the viewer:
-- "opens" and "human_opens" count those retention removed too
-- (retired_share_opens). "read" {pages, pages_viewed, seconds, per_page {"1": seconds, ...}}
-- over every read (null before any), and "reads", the latest 20 of them,
-- newest first, each {opened_at, pages, pages_viewed, seconds, per_page}.
CREATE OR REPLACE FUNCTION share_json(s shares) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.id, 'token', s.token, 'asset_id', s.asset_id,
        'asset_title', (SELECT a.title FROM assets a WHERE a.id = s.asset_id),
        'version', s.version, 'deal_id', s.deal_id,
        'deal_name', (SELECT d.name FROM deals d WHERE d.id = s.deal_id), 'rep_id', s.rep_id,
        'rep_name', (SELECT u.name FROM users u WHERE u.id = s.rep_id), 'channel', s.channel,
        'recipient_email', s.recipient_email, 'expires_at', rfc3339(s.expires_at),
        'revoked_at', rfc3339(s.revoked_at), 'created_at', rfc3339(s.created_at),
        'opens', (SELECT count(*) FROM opens o WHERE o.share_id = s.id)
                 + coalesce((SELECT r.opens FROM retired_share_opens r WHERE r.share_id = s.id), 0),
        'human_opens', (SELECT count(*) FROM opens o WHERE o.share_id = s.id AND NOT o.is_bot)
                 + coalesce((SELECT r.human_opens FROM retired_share_opens r
                             WHERE r.share_id = s.id), 0),
        'read', (SELECT jsonb_build_object('pages', x.pages, 'pages_viewed', x.viewed,
                            'seconds', round(x.seconds::numeric, 1), 'per_page', x.per_page)
                 FROM share_read(s.id) x WHERE x.pages IS NOT NULL),
        'reads', (SELECT coalesce(jsonb_agg(jsonb_build_object('opened_at', rfc3339(r.opened_at),
                            'pages', r.pages,
                            'pages_viewed', (SELECT count(*) FROM open_read_pages p
                                             WHERE p.view_id = r.view_id AND p.seconds > 0),
                            'seconds', round(r.seconds::numeric, 1),
                            'per_page', (SELECT jsonb_object_agg(p.page, round(p.seconds::numeric, 1)
                                                                 ORDER BY p.page)
                                         FROM open_read_pages p WHERE p.view_id = r.view_id))
                            ORDER BY r.opened_at DESC), '[]')
                  FROM (SELECT * FROM open_reads r WHERE r.share_id = s.id
                        ORDER BY r.opened_at DESC LIMIT 20) r))
$$;
