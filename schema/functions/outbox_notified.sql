-- Notifications by e-mail (schema/0030_outbox.sql): to users who chose
-- "each", every notification becomes an e-mail in the outbox, in the
-- transaction that made it; to those who chose "daily", outbox_digests()
-- gathers them once a day. E-mails go to the SMTP relay, target nil uuid.

CREATE OR REPLACE FUNCTION outbox_notified() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (event_id, kind, target, user_id, data, text)
    SELECT gen_random_uuid(), 'email.notification', '00000000-0000-0000-0000-000000000000',
           n.user_id, jsonb_build_object('subject', left(n.message, 150),
                                         'notification_id', n.id, 'notification_kind', n.kind),
           n.message
    FROM new_notifications n JOIN users u ON u.id = n.user_id
    WHERE u.email_notifications = 'each' AND u.active
    ORDER BY n.id;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER notifications_outbox AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_notifications FOR EACH STATEMENT
    EXECUTE FUNCTION outbox_notified();

-- Queues the digests that are due: for each active user on "daily" whose
-- last digest is at least @p_every old, one e-mail listing the
-- notifications since (none: no e-mail, and the clock moves on). Returns
-- how many were queued. Run by the delivery worker; several servers at
-- once take turns on each user's row.
CREATE OR REPLACE FUNCTION outbox_digests(p_every interval) RETURNS integer
LANGUAGE sql AS $$
    WITH due AS (
        SELECT g.user_id, g.upto, now() AS until
        FROM email_digests g JOIN users u ON u.id = g.user_id
        WHERE u.email_notifications = 'daily' AND u.active AND g.upto <= now() - p_every
        FOR UPDATE OF g SKIP LOCKED),
    moved AS (
        UPDATE email_digests g SET upto = d.until FROM due d WHERE g.user_id = d.user_id
        RETURNING g.user_id),
    digest AS (
        SELECT d.user_id, count(*) AS n,
               string_agg('- ' || n.message || ' (' || to_char(n.created_at AT TIME ZONE 'UTC',
                                                              'YYYY-MM-DD HH24:MI') || ' UTC)',
                          E'\n' ORDER BY n.id) AS lines
        FROM due d JOIN notifications n ON n.user_id = d.user_id
             AND n.created_at > d.upto AND n.created_at <= d.until
        GROUP BY d.user_id),
    queued AS (
        INSERT INTO outbox (event_id, kind, target, user_id, data, text)
        SELECT gen_random_uuid(), 'email.digest', '00000000-0000-0000-0000-000000000000',
               x.user_id, jsonb_build_object('subject', format('nextstage: %s notification%s',
                                                               x.n, CASE WHEN x.n > 1 THEN 's' ELSE '' END),
                                             'notifications', x.n),
               x.lines
        FROM digest x
        RETURNING 1)
    SELECT count(*)::integer FROM queued
$$;
