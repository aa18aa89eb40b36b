-- A gated asset's form, sent: @p_lead {name, email, company?, consent:
-- 'yes'|'no', disclosure_sha256?} (checked by the server). Records the
-- lead with the asset's current disclosure, intent and version, replacing
-- the current lead of the same asset and email, and a download in
-- page_views as public_hit(). Returns 'missing' or 'gone' (public_state),
-- 'not_gated' (the asset has no form), 'disclosure_changed' (the form
-- showed another disclosure than the current one: nothing recorded), else
-- the target (asset_target_json) as JSON text.
CREATE OR REPLACE FUNCTION record_lead(p_asset uuid, p_lead jsonb, p_hash bytea, p_ua text, p_bot text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    a assets;
    state text;
    agreed boolean := p_lead->>'consent' = 'yes';
    k bytea := lead_email_key(p_lead->>'email');
BEGIN
    SELECT * INTO a FROM assets WHERE id = p_asset;
    state := public_state(a);
    IF state <> 'live' THEN
        RETURN state;
    END IF;
    IF NOT a.gated THEN
        RETURN 'not_gated';
    END IF;
    IF p_lead->>'disclosure_sha256' <> disclosure_sha256(a.disclosure) THEN
        RETURN 'disclosure_changed';
    END IF;
    -- Two submissions of one address at once take turns (each statement
    -- of this function sees what the other committed).
    PERFORM pg_advisory_xact_lock(hashtextextended(a.id::text || encode(k, 'hex'), 15));
    -- The person's earlier leads of this asset are history; a "no" leaves
    -- nothing of them that names the person.
    UPDATE leads SET replaced_at = coalesce(replaced_at, now()),
                     name = CASE WHEN agreed THEN name END,
                     email = CASE WHEN agreed THEN email END,
                     company = CASE WHEN agreed THEN company END
    WHERE asset_id = a.id AND email_key = k AND (replaced_at IS NULL OR NOT agreed);
    INSERT INTO leads (asset_id, version, name, email, company, email_key, consent, disclosure,
                       intent, readiness, client_hash)
    VALUES (a.id, a.current_version, CASE WHEN agreed THEN p_lead->>'name' END,
            CASE WHEN agreed THEN p_lead->>'email' END,
            CASE WHEN agreed THEN p_lead->>'company' END, k, agreed, a.disclosure, a.intent,
            lead_readiness(a.intent, agreed), p_hash);
    INSERT INTO page_views (asset_id, kind, client_hash, ua_class, is_bot, bot_reason)
    VALUES (a.id, 'download', p_hash, p_ua, p_bot IS NOT NULL, p_bot);
    RETURN asset_target_json(a)::text;
END $$;
