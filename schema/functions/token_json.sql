-- An API token as the API lists it: its label, whose it is, when it was
-- made and last used (about: see schema/0022), never its digest.
CREATE OR REPLACE FUNCTION token_json(t api_tokens) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', t.id, 'name', t.name, 'user_id', t.user_id,
        'user_name', u.name, 'user_email', u.email, 'created_at', rfc3339(t.created_at),
        'last_used_at', rfc3339(t.last_used_at))
    FROM users u WHERE u.id = t.user_id
$$;
