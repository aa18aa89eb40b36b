-- Notifies the rep who shared @p_share that a person opened it, once per
-- share: called for a share's first human open, and harmless for a later
-- one (another transaction may have notified meanwhile). What was read in
-- the viewer is added to the message as it arrives (record_read).
CREATE OR REPLACE FUNCTION notify_first_open(p_share uuid) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO notifications (user_id, kind, message, share_id)
    SELECT s.rep_id, 'share_opened', open_message(s.id), s.id
    FROM shares s
    WHERE s.id = p_share
    ON CONFLICT (share_id) WHERE kind = 'share_opened' DO NOTHING
$$;
