-- CSV import of deals and their stage changes, one row at a time, each in
-- a subtransaction so that a bad row never stops the good ones. A row says
-- "deal external_id was in stage S from changed_at on"; its first row
-- creates the deal. Re-importing the same rows changes nothing.
--
-- @r: {"external_id", "name", "account", "owner_email", "stage", "amount",
-- "changed_at"} (strings; absent = not given; a new deal without
-- owner_email has no owner until one is set). Returns 'created', 'updated',
-- 'transition', 'unchanged', or 'error:<field>:<message>'.
CREATE OR REPLACE FUNCTION import_deal_row(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    d deals;
    st text;
    at timestamptz;
    own uuid;
    amt numeric;
    outcome text := 'unchanged';
BEGIN
    IF coalesce(btrim(r->>'external_id'), '') = '' THEN
        RETURN 'error:external_id:is required';
    END IF;
    IF coalesce(btrim(r->>'stage'), '') = '' THEN
        RETURN 'error:stage:is required';
    END IF;
    st := resolve_stage(r->>'stage');
    IF st IS NULL THEN
        RETURN 'error:stage:' || left(r->>'stage', 100) || ' is not a stage or a known alias';
    END IF;
    BEGIN
        at := coalesce(nullif(btrim(r->>'changed_at'), '')::timestamptz, now());
    EXCEPTION WHEN others THEN
        RETURN 'error:changed_at:' || left(r->>'changed_at', 60) || ' is not a time';
    END;
    BEGIN
        amt := nullif(btrim(r->>'amount'), '')::numeric;
        IF amt < 0 THEN RAISE EXCEPTION 'negative'; END IF;
    EXCEPTION WHEN others THEN
        RETURN 'error:amount:' || left(r->>'amount', 60) || ' is not an amount';
    END;
    IF nullif(btrim(r->>'owner_email'), '') IS NOT NULL THEN
        SELECT id INTO own FROM users WHERE email = lower(btrim(r->>'owner_email')) AND active;
        IF own IS NULL THEN
            RETURN 'error:owner_email:no active user ' || left(r->>'owner_email', 100);
        END IF;
    END IF;
    BEGIN
        SELECT * INTO d FROM deals WHERE external_id = btrim(r->>'external_id') FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO deals (external_id, name, account, owner, stage, amount)
            VALUES (btrim(r->>'external_id'),
                    left(coalesce(nullif(btrim(r->>'name'), ''), btrim(r->>'external_id')), 300),
                    left(nullif(btrim(r->>'account'), ''), 300), own, st, amt)
            RETURNING * INTO d;
            PERFORM deal_enter_stage(d.id, st, at, 'import');
            RETURN 'created';
        END IF;
        UPDATE deals SET
            name = coalesce(left(nullif(btrim(r->>'name'), ''), 300), name),
            account = coalesce(left(nullif(btrim(r->>'account'), ''), 300), account),
            owner = coalesce(own, owner),
            amount = coalesce(amt, amount),
            updated_at = now()
        WHERE id = d.id
          AND (name, account, owner, amount) IS DISTINCT FROM
              (coalesce(left(nullif(btrim(r->>'name'), ''), 300), name),
               coalesce(left(nullif(btrim(r->>'account'), ''), 300), account),
               coalesce(own, owner), coalesce(amt, amount));
        IF FOUND THEN
            outcome := 'updated';
        END IF;
        IF deal_enter_stage(d.id, st, at, 'import') THEN
            outcome := CASE outcome WHEN 'updated' THEN 'updated' ELSE 'transition' END;
        END IF;
        RETURN outcome;
    EXCEPTION WHEN others THEN
        RETURN 'error::' || SQLERRM;
    END;
END $$;
