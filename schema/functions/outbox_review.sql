-- review.decided: the editorial board decided about an asset.
CREATE OR REPLACE FUNCTION outbox_review() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('review.decided') THEN
        PERFORM outbox_emit('review.decided', coalesce(jsonb_agg(jsonb_build_object(
            'data', jsonb_build_object('decision_id', r.id, 'asset_id', r.asset_id,
                'asset_title', a.title, 'decision', r.decision, 'note', r.note,
                'actor_id', r.actor, 'actor_name', u.name, 'status_before', r.status_before,
                'status_after', r.status_after, 'snoozed_until', rfc3339(r.snoozed_until),
                'request_id', r.request_id, 'created_at', rfc3339(r.created_at)),
            'text', format('%s decided to %s %s: %s', u.name, r.decision, a.title, r.note))
            ORDER BY r.id), '[]'))
        FROM new_decisions r JOIN assets a ON a.id = r.asset_id JOIN users u ON u.id = r.actor;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER review_decisions_outbox AFTER INSERT ON review_decisions
    REFERENCING NEW TABLE AS new_decisions FOR EACH STATEMENT EXECUTE FUNCTION outbox_review();
