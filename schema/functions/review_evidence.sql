-- What the board sees of one asset, and what a decision stores: its usage
-- and verdicts per stage (asset_usage_json), its feedback, the content
-- requests it fulfilled, its owner and its dates.
CREATE OR REPLACE FUNCTION review_evidence(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_usage_json(a.id) || jsonb_build_object(
        'feedback', feedback_summary_json(a.id),
        'fulfilled_requests', coalesce((SELECT jsonb_agg(jsonb_build_object('id', q.id,
                'title', q.title, 'requester', q.requester, 'persona', q.persona,
                'stage', q.stage, 'fulfilled_at', rfc3339(q.updated_at))
                ORDER BY q.updated_at, q.id)
            FROM content_requests q WHERE q.asset_id = a.id AND q.status = 'fulfilled'), '[]'),
        'owner', (SELECT jsonb_build_object('id', o.id, 'name', o.name, 'email', o.email)
                  FROM users o WHERE o.id = a.owner),
        'published_at', rfc3339(a.published_at), 'expires_at', rfc3339(a.expires_at))
$$;
