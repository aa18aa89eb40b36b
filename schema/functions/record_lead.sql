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
    consent boolean := p_lead->>'consent' = 'yes';
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
    PERFORM pg_advisory_xact_lock(hashtextextended(a.id::text || lower(p_lead->>'email'), 15));
    UPDATE leads SET replaced_at = now()
    WHERE asset_id = a.id AND lower(email) = lower(p_lead->>'email') AND replaced_at IS NULL;
    INSERT INTO leads (asset_id, version, name, email, company, consent, disclosure, intent,
                       readiness, client_hash)
    VALUES (a.id, a.current_version, p_lead->>'name', p_lead->>'email', p_lead->>'company',
            consent, a.disclosure, a.intent, lead_readiness(a.intent, consent), p_hash);
    INSERT INTO page_views (asset_id, kind, client_hash, ua_class, is_bot, bot_reason)
    VALUES (a.id, 'download', p_hash, p_ua, p_bot IS NOT NULL, p_bot);
    RETURN asset_target_json(a)::text;
END $$;
