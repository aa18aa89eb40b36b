-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Deals and their stage history. The history is a timeline of entries
-- ("the deal was in stage S from time T on"), not a log of calls: an entry
-- back-dated before the latest one takes its place in time, an entry that
-- repeats the stage in force is no change, and the deal's current stage is
-- the stage of its latest entry (kept in deals.stage by deal_stage_sync).
CREATE TABLE deals (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE CHECK (length(external_id) BETWEEN 1 AND 200),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    account     text CHECK (length(account) BETWEEN 1 AND 300),
    owner       uuid REFERENCES users,
    stage       text NOT NULL REFERENCES stages ON UPDATE CASCADE,
    amount      numeric(16, 2) CHECK (amount >= 0),
    personas    text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deals_owner ON deals (owner, created_at DESC);
CREATE INDEX deals_stage ON deals (stage);
CREATE INDEX deals_name_trgm ON deals USING gin ((name || ' ' || coalesce(account, '')) gin_trgm_ops);
CREATE TRIGGER deals_audit AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');

CREATE TABLE deal_stages (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deal_id    uuid NOT NULL REFERENCES deals ON DELETE CASCADE,
    stage      text NOT NULL REFERENCES stages ON UPDATE CASCADE,
    at         timestamptz NOT NULL,
    source     text NOT NULL CHECK (source IN ('api', 'import', 'webhook', 'ingest')),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (deal_id, at)
);

-- Records that deal @d was in stage @s from @t on; returns whether the
-- timeline changed. Callers hold the deal's row lock. An entry that repeats
-- the stage before it is dropped, so a back-dated entry of the stage that
-- follows moves that stage's start earlier.
CREATE FUNCTION deal_enter_stage(d uuid, s text, t timestamptz, src text) RETURNS boolean
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
    RETURN true;
END $$;

-- The history as the API shows it: transitions {from, to, at, source}.
CREATE FUNCTION deal_json(dl deals) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', dl.id, 'external_id', dl.external_id, 'name', dl.name,
        'account', dl.account, 'owner', dl.owner, 'stage', dl.stage, 'amount', dl.amount,
        'personas', to_jsonb(dl.personas), 'created_at', rfc3339(dl.created_at),
        'updated_at', rfc3339(dl.updated_at),
        'history', coalesce((SELECT jsonb_agg(jsonb_build_object('from', h.prev, 'to', h.stage,
                    'at', rfc3339(h.at), 'source', h.source) ORDER BY h.at)
                FROM (SELECT stage, at, source,
                             lag(stage) OVER (ORDER BY at) AS prev
                      FROM deal_stages WHERE deal_id = dl.id) h), '[]'))
$$;
