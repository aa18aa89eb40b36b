-- A request to a public page (@p_kind 'view': GET /p/{id}) or its file
-- ('download': GET /p/{id}/file), recorded in page_views with the keyed
-- hash of the client address @p_hash, the User-Agent class @p_ua and the
-- bot reason the server found (@p_bot, NULL: a person). Returns 'missing'
-- or 'gone' (public_state; nothing recorded), 'gated' for the file of a
-- gated asset (only its form gives it; nothing recorded), else the page
-- (public_page_json) or the target (asset_target_json) as JSON text.
CREATE OR REPLACE FUNCTION public_hit(p_asset uuid, p_kind text, p_hash bytea, p_ua text, p_bot text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    a assets;
    state text;
BEGIN
    SELECT * INTO a FROM assets WHERE id = p_asset;
    state := public_state(a);
    IF state <> 'live' THEN
        RETURN state;
    END IF;
    IF p_kind = 'download' AND a.gated THEN
        RETURN 'gated';
    END IF;
    INSERT INTO page_views (asset_id, kind, client_hash, ua_class, is_bot, bot_reason)
    VALUES (a.id, p_kind, p_hash, p_ua, p_bot IS NOT NULL, p_bot);
    RETURN (CASE p_kind WHEN 'view' THEN public_page_json(a) ELSE asset_target_json(a) END)::text;
END $$;
