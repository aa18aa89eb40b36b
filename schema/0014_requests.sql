-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Content requests: a rep asks for what is missing; marketers move the
-- request through open -> planned -> in_progress -> fulfilled (with the
-- asset) or declined (with a reason). The requester is told at each step.
CREATE TABLE content_requests (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    persona        text REFERENCES personas ON UPDATE CASCADE ON DELETE SET NULL,
    stage          text REFERENCES stages ON UPDATE CASCADE ON DELETE SET NULL,
    deal_id        uuid REFERENCES deals ON DELETE SET NULL,
    detail         text CHECK (length(detail) BETWEEN 1 AND 5000),
    requester      uuid NOT NULL REFERENCES users,
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'planned', 'in_progress', 'fulfilled', 'declined')),
    asset_id       uuid REFERENCES assets,
    decline_reason text CHECK (length(decline_reason) BETWEEN 1 AND 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT content_requests_fulfilled CHECK (status <> 'fulfilled' OR asset_id IS NOT NULL),
    CONSTRAINT content_requests_declined CHECK (status <> 'declined' OR decline_reason IS NOT NULL)
);
CREATE INDEX content_requests_recent ON content_requests (created_at DESC, id DESC);
CREATE INDEX content_requests_requester ON content_requests (requester, created_at DESC);
CREATE TRIGGER content_requests_audit AFTER INSERT OR UPDATE OR DELETE ON content_requests
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');

-- Where a request may go from where it is.
CREATE FUNCTION request_may_move(from_status text, to_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (from_status, to_status) IN (('open', 'planned'), ('open', 'in_progress'),
        ('open', 'fulfilled'), ('open', 'declined'), ('planned', 'in_progress'),
        ('planned', 'fulfilled'), ('planned', 'declined'), ('in_progress', 'fulfilled'),
        ('in_progress', 'declined'))
$$;

-- Each change of status tells the requester.
CREATE FUNCTION request_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (user_id, kind, message)
    VALUES (NEW.requester, 'request_' || NEW.status,
            format('Your request "%s" is now %s', NEW.title, replace(NEW.status, '_', ' '))
            || CASE WHEN NEW.status = 'declined' THEN ': ' || NEW.decline_reason ELSE '' END);
    RETURN NULL;
END $$;
CREATE TRIGGER content_requests_notify AFTER UPDATE OF status ON content_requests
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION request_notify();

CREATE FUNCTION request_json(q content_requests) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', q.id, 'title', q.title, 'persona', q.persona,
        'stage', q.stage, 'deal_id', q.deal_id, 'detail', q.detail, 'requester', q.requester,
        'status', q.status, 'asset_id', q.asset_id, 'decline_reason', q.decline_reason,
        'created_at', rfc3339(q.created_at), 'updated_at', rfc3339(q.updated_at))
$$;
