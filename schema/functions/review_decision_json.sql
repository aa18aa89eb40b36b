-- A board decision as the API shows it (the actor's name beside their id).
CREATE OR REPLACE FUNCTION review_decision_json(d review_decisions) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', d.id, 'asset_id', d.asset_id, 'decision', d.decision,
        'note', d.note, 'actor', d.actor,
        'actor_name', (SELECT u.name FROM users u WHERE u.id = d.actor),
        'status_before', d.status_before,
        'status_after', d.status_after, 'snoozed_until', rfc3339(d.snoozed_until),
        'request', (SELECT request_json(q) FROM content_requests q WHERE q.id = d.request_id),
        'evidence', d.evidence, 'created_at', rfc3339(d.created_at))
$$;
