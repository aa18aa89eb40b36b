-- CSV import of deals and their stage changes, one row at a time. A row
-- says "deal external_id was in stage S from changed_at on"; its first row
-- creates the deal. Re-importing the same rows changes nothing.
--
-- The arguments are the row's fields as the file has them (NULL or blank:
-- not given; a new deal without owner_email has no owner until one is
-- set). Returns 'created', 'updated', 'transition' or 'unchanged'. A row
-- it refuses raises SQLSTATE NS003 (a field is missing), NS002 (invalid)
-- or NS001 (it names no such stage or user) with COLUMN the field at fault
-- and MESSAGE a sentence; import_deal_rows() reports those per row.
DROP FUNCTION IF EXISTS import_deal_row(jsonb); -- its signature before the typed rows
CREATE OR REPLACE FUNCTION import_deal_row(in_external_id text, in_name text, in_account text,
                                           in_owner_email text, in_stage text, in_amount text,
                                           in_changed_at text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    d deals;
    ext text := nullif(btrim(in_external_id), '');
    nm text := left(nullif(btrim(in_name), ''), 300);
    acct text := left(nullif(btrim(in_account), ''), 300);
    st text;
    at timestamptz;
    own uuid;
    amt numeric;
    outcome text := 'unchanged';
BEGIN
    IF ext IS NULL THEN
        RAISE EXCEPTION 'is required' USING ERRCODE = 'NS003', COLUMN = 'external_id';
    END IF;
    IF nullif(btrim(in_stage), '') IS NULL THEN
        RAISE EXCEPTION 'is required' USING ERRCODE = 'NS003', COLUMN = 'stage';
    END IF;
    st := resolve_stage(in_stage);
    IF st IS NULL THEN
        RAISE EXCEPTION '% is not a stage or a known alias', left(in_stage, 100)
            USING ERRCODE = 'NS001', COLUMN = 'stage';
    END IF;
    BEGIN
        at := coalesce(nullif(btrim(in_changed_at), '')::timestamptz, now());
    EXCEPTION WHEN data_exception THEN
        RAISE EXCEPTION '% is not a time', left(in_changed_at, 60)
            USING ERRCODE = 'NS002', COLUMN = 'changed_at';
    END;
    BEGIN
        amt := nullif(btrim(in_amount), '')::numeric;
    EXCEPTION WHEN data_exception THEN
        amt := -1; -- unreadable is refused as a negative amount is
    END;
    IF amt < 0 THEN
        RAISE EXCEPTION '% is not an amount', left(in_amount, 60)
            USING ERRCODE = 'NS002', COLUMN = 'amount';
    END IF;
    IF nullif(btrim(in_owner_email), '') IS NOT NULL THEN
        SELECT id INTO own FROM users WHERE email = lower(btrim(in_owner_email)) AND active;
        IF own IS NULL THEN
            RAISE EXCEPTION 'no active user %', left(in_owner_email, 100)
                USING ERRCODE = 'NS001', COLUMN = 'owner_email';
        END IF;
    END IF;

    SELECT * INTO d FROM deals WHERE external_id = ext FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO deals (external_id, name, account, owner, stage, amount)
        VALUES (ext, coalesce(nm, ext), acct, own, st, amt)
        RETURNING * INTO d;
        PERFORM deal_enter_stage(d.id, st, at, 'import');
        RETURN 'created';
    END IF;
    UPDATE deals SET
        name = coalesce(nm, name),
        account = coalesce(acct, account),
        owner = coalesce(own, owner),
        amount = coalesce(amt, amount),
        updated_at = now()
    WHERE id = d.id
      AND (name, account, owner, amount) IS DISTINCT FROM
          (coalesce(nm, name), coalesce(acct, account), coalesce(own, owner),
           coalesce(amt, amount));
    IF FOUND THEN
        outcome := 'updated';
    END IF;
    IF deal_enter_stage(d.id, st, at, 'import') THEN
        outcome := CASE outcome WHEN 'updated' THEN 'updated' ELSE 'transition' END;
    END IF;
    RETURN outcome;
END $$;
