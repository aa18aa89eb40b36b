-- A webhook secret as the API lists it: never the secret itself.
CREATE OR REPLACE FUNCTION webhook_secret_json(w webhook_secrets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', w.id, 'kind', w.kind, 'label', w.label, 'sealed', w.sealed,
        'replaces', w.replaces, 'created_by', w.created_by,
        'created_at', rfc3339(w.created_at), 'expires_at', rfc3339(w.expires_at))
$$;
