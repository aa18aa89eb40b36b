-- The API's JSON of a lead (never its client hash).
CREATE OR REPLACE FUNCTION lead_json(l leads) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', l.id, 'asset_id', l.asset_id,
        'asset_title', (SELECT title FROM assets WHERE id = l.asset_id), 'version', l.version,
        'name', l.name, 'email', l.email, 'company', l.company, 'consent', l.consent,
        'disclosure', l.disclosure, 'intent', l.intent, 'readiness', l.readiness,
        'created_at', rfc3339(l.created_at))
$$;
