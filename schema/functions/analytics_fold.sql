-- Folds what is safe to fold into the rollups, and writes the share.opened
-- events of the opens folded; cheap when nothing is new.
-- Run every few seconds by the server (any number of servers may run it:
-- the marks' row locks serialise them).
CREATE OR REPLACE FUNCTION analytics_fold() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    snap pg_snapshot := pg_current_snapshot(); -- before this transaction writes
    ms rollup_marks;
    mo rollup_marks;
    rs boolean; -- the shares' candidate mark is safe
    ro boolean;
    hs bigint;  -- the shares' new mark
    ho bigint;
BEGIN
    SELECT * INTO ms FROM rollup_marks WHERE source = 'shares' FOR UPDATE;
    SELECT * INTO mo FROM rollup_marks WHERE source = 'opens' FOR UPDATE;
    rs := coalesce(ms.horizon <= pg_snapshot_xmin(snap), false);
    ro := coalesce(mo.horizon <= pg_snapshot_xmin(snap), false);
    hs := CASE WHEN rs THEN ms.candidate ELSE ms.done END;
    ho := CASE WHEN ro THEN mo.candidate ELSE mo.done END;
    IF hs > ms.done OR ho > mo.done THEN
        PERFORM usage_fold_range(ms.done, hs, mo.done, ho);
    END IF;
    IF ho > mo.done THEN
        PERFORM outbox_share_opened(mo.done, ho); -- their share.opened events
    END IF;
    -- A mark read now is safe once the transactions running a second from
    -- now have ended: an id is taken a moment before its transaction
    -- writes, so one that predates the mark may not have an xid yet.
    UPDATE rollup_marks m SET done = CASE m.source WHEN 'shares' THEN hs ELSE ho END,
        candidate = CASE WHEN h.ready THEN NULL ELSE m.candidate END,
        horizon = CASE WHEN h.ready THEN NULL
                       WHEN m.candidate IS NOT NULL AND m.horizon IS NULL
                            AND m.candidate_at < clock_timestamp() - interval '1 second'
                       THEN pg_snapshot_xmax(pg_current_snapshot()) ELSE m.horizon END
    FROM (VALUES ('shares', rs), ('opens', ro)) h (source, ready)
    WHERE m.source = h.source;
    UPDATE rollup_marks m SET candidate = n.top, candidate_at = clock_timestamp()
    FROM (SELECT 'shares' AS source, (SELECT max(seq) FROM shares) AS top
          UNION ALL SELECT 'opens', (SELECT max(id) FROM opens)) n
    WHERE m.source = n.source AND m.candidate IS NULL AND n.top > m.done;
END $$;
