-- A content request as the API shows it (people's names beside their ids,
-- the fulfilling asset's title beside its id).
CREATE OR REPLACE FUNCTION request_json(q content_requests) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', q.id, 'title', q.title, 'persona', q.persona,
        'stage', q.stage, 'deal_id', q.deal_id, 'detail', q.detail, 'requester', q.requester,
        'requester_name', (SELECT u.name FROM users u WHERE u.id = q.requester),
        'assignee', q.assignee,
        'assignee_name', (SELECT u.name FROM users u WHERE u.id = q.assignee), 'refreshes', q.refreshes,
        'status', q.status, 'asset_id', q.asset_id,
        'asset_title', (SELECT a.title FROM assets a WHERE a.id = q.asset_id),
        'decline_reason', q.decline_reason,
        'created_at', rfc3339(q.created_at), 'updated_at', rfc3339(q.updated_at))
$$;
