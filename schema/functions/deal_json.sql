-- A deal as the API shows it: its owner's name beside the owner's id, and
-- the history as transitions {from, to, at, source}.
CREATE OR REPLACE FUNCTION deal_json(dl deals) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', dl.id, 'external_id', dl.external_id, 'name', dl.name,
        'account', dl.account, 'owner', dl.owner,
        'owner_name', (SELECT u.name FROM users u WHERE u.id = dl.owner), 'stage', dl.stage, 'amount', dl.amount,
        'personas', to_jsonb(dl.personas), 'created_at', rfc3339(dl.created_at),
        'updated_at', rfc3339(dl.updated_at),
        'history', coalesce((SELECT jsonb_agg(jsonb_build_object('from', h.prev, 'to', h.stage,
                    'at', rfc3339(h.at), 'source', h.source) ORDER BY h.at)
                FROM (SELECT stage, at, source,
                             lag(stage) OVER (ORDER BY at) AS prev
                      FROM deal_stages WHERE deal_id = dl.id) h), '[]'))
$$;
