-- Events leave through the outbox (schema/0030_outbox.sql). @p_events is a
-- JSON array of {data, text}: each element is one event of kind @p_kind
-- (share.opened, ...), its data as the receiver gets it and the sentence a
-- person reads (a Slack message, the app's list). Each event gets one id
-- and one delivery per active webhook that subscribes to @p_kind, in the
-- caller's transaction, so an event is kept exactly when its change is.
-- With no such webhook it costs one index-less look at a small table.
CREATE OR REPLACE FUNCTION outbox_emit(p_kind text, p_events jsonb) RETURNS void
LANGUAGE sql AS $$
    WITH e AS MATERIALIZED (
        SELECT gen_random_uuid() AS id, x.value->'data' AS data, x.value->>'text' AS text, x.n
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(value, n))
    INSERT INTO outbox (event_id, kind, target, webhook_id, data, text)
    SELECT e.id, p_kind, w.id, w.id, e.data, e.text
    FROM e JOIN webhooks w ON w.active AND p_kind = ANY (w.events)
    ORDER BY e.n, w.id
$$;

-- Whether an active webhook subscribes to @p_kind: the triggers ask first,
-- so that a change nobody subscribed to builds no event.
CREATE OR REPLACE FUNCTION outbox_wanted(p_kind text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM webhooks WHERE active AND p_kind = ANY (events))
$$;

-- The events webhooks subscribe to, each made by a statement trigger on
-- the table whose change it reports (so every path that changes it, API,
-- import, CRM webhook or worker, emits it), with the rows the statement
-- changed. Each builds {data, text} per event for outbox_emit()
-- (schema/functions/outbox_<event>.sql).
