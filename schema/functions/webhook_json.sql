-- An outgoing webhook as the API lists it (never its secret): with how its
-- receiver is doing (failures in a row, held until, the last error) and its
-- deliveries waiting and parked.
CREATE OR REPLACE FUNCTION webhook_json(w webhooks) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', w.id, 'url', w.url, 'events', to_jsonb(w.events),
        'format', w.format, 'label', w.label, 'active', w.active, 'sealed', w.sealed,
        'created_by', w.created_by, 'created_at', rfc3339(w.created_at),
        'updated_at', rfc3339(w.updated_at),
        'failures', coalesce(t.failures, 0), 'held_until', rfc3339(t.hold_until),
        'last_error', t.last_error,
        'pending', (SELECT count(*) FROM outbox o WHERE o.target = w.id AND o.state = 'pending'),
        'failed', (SELECT count(*) FROM outbox o WHERE o.webhook_id = w.id AND o.state = 'failed'))
    FROM (SELECT 1) one LEFT JOIN outbox_targets t ON t.target = w.id
$$;
