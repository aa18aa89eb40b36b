-- A delivery of the outbox as the API lists it: the event (id, kind,
-- data, the sentence), where it goes (a webhook, or a user by e-mail) and
-- how its tries went.
CREATE OR REPLACE FUNCTION outbox_json(o outbox) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', o.id::text, 'event_id', o.event_id, 'kind', o.kind,
        'channel', CASE WHEN o.webhook_id IS NULL THEN 'email' ELSE 'webhook' END,
        'webhook_id', o.webhook_id, 'user_id', o.user_id, 'data', o.data, 'text', o.text,
        'state', o.state, 'attempts', o.attempts, 'last_error', o.last_error,
        'last_status', o.last_status, 'created_at', rfc3339(o.created_at),
        'attempted_at', rfc3339(o.attempted_at), 'delivered_at', rfc3339(o.delivered_at),
        'next_at', CASE WHEN o.state = 'pending' THEN rfc3339(greatest(o.next_at,
                            (SELECT t.hold_until FROM outbox_targets t WHERE t.target = o.target)))
                   END)
$$;
