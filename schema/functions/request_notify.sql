-- Each change of status tells the requester (unless they made it: a
-- marketer planning their own request); a new assignee is told of the
-- request (unless they took it themselves).
CREATE OR REPLACE FUNCTION request_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IS DISTINCT FROM NEW.status
       AND NEW.requester IS DISTINCT FROM nullif(current_setting('nextstage.actor', true), '')::uuid
    THEN
        INSERT INTO notifications (user_id, kind, message)
        VALUES (NEW.requester, 'request_' || NEW.status,
                format('Your request "%s" is now %s', NEW.title, replace(NEW.status, '_', ' '))
                || CASE WHEN NEW.status = 'declined' THEN ': ' || NEW.decline_reason ELSE '' END);
    END IF;
    IF NEW.assignee IS NOT NULL AND OLD.assignee IS DISTINCT FROM NEW.assignee
       AND NEW.assignee IS DISTINCT FROM nullif(current_setting('nextstage.actor', true), '')::uuid
    THEN
        INSERT INTO notifications (user_id, kind, message)
        VALUES (NEW.assignee, 'request_assigned',
                format('You were asked to work on the request "%s"', NEW.title));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER content_requests_notify AFTER UPDATE OF status, assignee ON content_requests
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.assignee IS DISTINCT FROM NEW.assignee)
    EXECUTE FUNCTION request_notify();
