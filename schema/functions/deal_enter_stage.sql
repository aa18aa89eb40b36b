-- Records that deal @d was in stage @s from @t on (source @src); returns
-- whether the timeline changed. Callers hold the deal's row lock. An entry
-- that repeats the stage before it is dropped, so a back-dated entry of the
-- stage that follows moves that stage's start earlier. Each spell's end and
-- next stage (left_at, next_stage) and the exposures of the shares inside
-- it are kept exact here (deal_spells_sync), for the next-stage test.
CREATE OR REPLACE FUNCTION deal_enter_stage(d uuid, s text, t timestamptz, src text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT stage FROM deal_stages WHERE deal_id = d AND at <= t
        ORDER BY at DESC LIMIT 1) IS NOT DISTINCT FROM s THEN
        RETURN false; -- already in that stage then
    END IF;
    INSERT INTO deal_stages (deal_id, stage, at, source) VALUES (d, s, t, src)
        ON CONFLICT (deal_id, at) DO UPDATE SET stage = excluded.stage, source = excluded.source;
    DELETE FROM deal_stages x USING (
        SELECT id, stage, lag(stage) OVER (ORDER BY at) AS prev
        FROM deal_stages WHERE deal_id = d) h
        WHERE x.id = h.id AND h.prev = h.stage;
    UPDATE deals SET stage = (SELECT stage FROM deal_stages WHERE deal_id = d
                              ORDER BY at DESC LIMIT 1), updated_at = now()
        WHERE id = d;
    PERFORM deal_spells_sync(d);
    RETURN true;
END $$;
