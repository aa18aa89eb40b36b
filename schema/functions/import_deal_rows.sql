-- A batch of CSV import rows (the same position of each array is a row;
-- see import_deal_row() for the fields), each in a subtransaction so that
-- a refused row never stops the good ones. One result row per input row,
-- in order: its outcome ('created', 'updated', 'transition', 'unchanged',
-- or 'refused' with the field at fault and why). Any error other than a
-- refusal fails the whole batch: it is a fault of ours, not of the file.
CREATE OR REPLACE FUNCTION import_deal_rows(external_ids text[], names text[], accounts text[],
                                            owner_emails text[], stages text[], amounts text[],
                                            changed_ats text[])
RETURNS TABLE (outcome text, field text, message text)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    -- unnest, not a[i]: indexing a text[] walks it from the start each time
    FOR r IN SELECT * FROM unnest(external_ids, names, accounts, owner_emails, stages, amounts,
                                  changed_ats) AS u(ext, nm, acct, owner, st, amt, at) LOOP
        field := NULL;
        message := NULL;
        BEGIN
            outcome := import_deal_row(r.ext, r.nm, r.acct, r.owner, r.st, r.amt, r.at);
        EXCEPTION WHEN SQLSTATE 'NS001' OR SQLSTATE 'NS002' OR SQLSTATE 'NS003' THEN
            GET STACKED DIAGNOSTICS field = COLUMN_NAME, message = MESSAGE_TEXT;
            outcome := 'refused';
        END;
        RETURN NEXT;
    END LOOP;
END $$;
