-- Erasure of a person who is not a user (a prospect, a lead) by e-mail
-- (README, "Privacy"): their leads (whatever the consent) and the page
-- views recorded with them are deleted, share recipients of that address
-- cleared, and then every other occurrence of the address in any text or
-- JSON column of the schema (notifications, the audit trail's snapshots,
-- the search log, comments, import reports...) replaced by '[erased]',
-- the audit rows this very erasure made included. A user's address is
-- refused (NS002, email): deactivate the user instead. The erasure is
-- audited (entity 'erasure') with what it removed, never the address.
-- Returns those counts.
CREATE OR REPLACE FUNCTION erase_person(p_email text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    needle text := lower(p_email);
    -- the address as a regular expression: every character but letters and
    -- digits escaped (a backslash before one of them is that character)
    pattern text := regexp_replace(lower(p_email), '([^[:alnum:]])', '\\\1', 'g');
    k bytea := lead_email_key(p_email);
    c record;
    n bigint;
    views bigint;
    removed bigint;
    cleared bigint;
    scrubbed jsonb := '{}';
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE lower(email) = needle) THEN
        RAISE EXCEPTION 'this is the address of a user: deactivate the user instead'
            USING ERRCODE = 'NS002', COLUMN = 'email';
    END IF;
    DELETE FROM page_views v USING leads l
     WHERE l.email_key = k AND v.asset_id = l.asset_id AND v.client_hash = l.client_hash;
    GET DIAGNOSTICS views = ROW_COUNT;
    DELETE FROM leads WHERE email_key = k OR lower(email) = needle;
    GET DIAGNOSTICS removed = ROW_COUNT;
    UPDATE shares SET recipient_email = NULL WHERE lower(recipient_email) = needle;
    GET DIAGNOSTICS cleared = ROW_COUNT;
    -- Every other text and JSON column, audit last (the updates above and
    -- below are audited with the address in their "before").
    FOR c IN
        SELECT t.relname AS tab, a.attname AS col, format_type(a.atttypid, NULL) AS typ
        FROM pg_class t
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE t.relnamespace = 'public'::regnamespace AND t.relkind IN ('r', 'p')
          AND NOT t.relispartition
          AND a.atttypid IN ('text'::regtype, 'character varying'::regtype, 'jsonb'::regtype,
                             'json'::regtype)
          -- (users are refused; the text extracted from files is the files')
          AND t.relname NOT IN ('users', 'schema_migrations', 'schema_objects', 'blob_pages',
                                'blob_texts')
        ORDER BY t.relname = 'audit', t.relname, a.attname
    LOOP
        EXECUTE format('UPDATE %I SET %I = regexp_replace(%I::text, %L, %L, %L)::%s'
                       ' WHERE strpos(lower(%I::text), %L) > 0',
                       c.tab, c.col, c.col, pattern, '[erased]', 'gi', c.typ, c.col, needle);
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 THEN
            scrubbed := scrubbed || jsonb_build_object(c.tab || '.' || c.col, n);
        END IF;
    END LOOP;
    INSERT INTO audit (actor, action, entity, entity_id, after)
    VALUES (nullif(current_setting('nextstage.actor', true), '')::uuid, 'delete', 'erasure',
            gen_random_uuid()::text,
            jsonb_build_object('leads', removed, 'page_views', views, 'share_recipients', cleared,
                               'replaced', scrubbed));
    RETURN jsonb_build_object('leads', removed, 'page_views', views,
                              'share_recipients', cleared, 'replaced', scrubbed);
END $$;
