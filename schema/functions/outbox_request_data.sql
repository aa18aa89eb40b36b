-- A content request as the events show it.
CREATE OR REPLACE FUNCTION outbox_request_data(q content_requests) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('request_id', q.id, 'title', q.title, 'persona', q.persona,
        'stage', q.stage, 'deal_id', q.deal_id, 'status', q.status,
        'requester_id', q.requester,
        'requester_name', (SELECT u.name FROM users u WHERE u.id = q.requester),
        'asset_id', q.asset_id,
        'asset_title', (SELECT a.title FROM assets a WHERE a.id = q.asset_id),
        'created_at', rfc3339(q.created_at), 'updated_at', rfc3339(q.updated_at))
$$;

-- request.created: someone asked marketing for content.
CREATE OR REPLACE FUNCTION outbox_request_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('request.created') THEN
        PERFORM outbox_emit('request.created', coalesce(jsonb_agg(jsonb_build_object(
            'data', outbox_request_data(q),
            'text', format('%s asked for content: "%s"',
                           (SELECT u.name FROM users u WHERE u.id = q.requester), q.title))
            ORDER BY q.created_at, q.id), '[]'))
        FROM new_requests q;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER content_requests_outbox_created AFTER INSERT ON content_requests
    REFERENCING NEW TABLE AS new_requests FOR EACH STATEMENT
    EXECUTE FUNCTION outbox_request_created();

-- request.fulfilled: a request was answered with an asset.
CREATE OR REPLACE FUNCTION outbox_request_fulfilled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('request.fulfilled') THEN
        PERFORM outbox_emit('request.fulfilled', coalesce(jsonb_agg(jsonb_build_object(
            'data', outbox_request_data(q),
            'text', format('The request "%s" was fulfilled: %s', q.title,
                           (SELECT a.title FROM assets a WHERE a.id = q.asset_id)))
            ORDER BY q.id), '[]'))
        FROM new_requests q JOIN old_requests o ON o.id = q.id
        WHERE q.status = 'fulfilled' AND o.status <> 'fulfilled';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER content_requests_outbox_fulfilled AFTER UPDATE ON content_requests
    REFERENCING OLD TABLE AS old_requests NEW TABLE AS new_requests FOR EACH STATEMENT
    EXECUTE FUNCTION outbox_request_fulfilled();
