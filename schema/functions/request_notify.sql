-- Each change of status tells the requester.
CREATE OR REPLACE FUNCTION request_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (user_id, kind, message)
    VALUES (NEW.requester, 'request_' || NEW.status,
            format('Your request "%s" is now %s', NEW.title, replace(NEW.status, '_', ' '))
            || CASE WHEN NEW.status = 'declined' THEN ': ' || NEW.decline_reason ELSE '' END);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER content_requests_notify AFTER UPDATE OF status ON content_requests
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION request_notify();
