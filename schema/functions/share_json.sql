-- A share as the API shows it (the asset's title, the deal's and the
-- rep's names beside their ids).
CREATE OR REPLACE FUNCTION share_json(s shares) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.id, 'token', s.token, 'asset_id', s.asset_id,
        'asset_title', (SELECT a.title FROM assets a WHERE a.id = s.asset_id),
        'version', s.version, 'deal_id', s.deal_id,
        'deal_name', (SELECT d.name FROM deals d WHERE d.id = s.deal_id), 'rep_id', s.rep_id,
        'rep_name', (SELECT u.name FROM users u WHERE u.id = s.rep_id), 'channel', s.channel,
        'recipient_email', s.recipient_email, 'expires_at', rfc3339(s.expires_at),
        'revoked_at', rfc3339(s.revoked_at), 'created_at', rfc3339(s.created_at),
        'opens', (SELECT count(*) FROM opens o WHERE o.share_id = s.id),
        'human_opens', (SELECT count(*) FROM opens o WHERE o.share_id = s.id AND NOT o.is_bot))
$$;
