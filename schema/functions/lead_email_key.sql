-- The keyed hash that stands for a lead's e-mail (case-insensitive), for
-- telling one person's submissions apart without keeping the address of
-- those who declined follow-up: SHA-256 of the server's client-hash key
-- and the lower-cased address.
CREATE OR REPLACE FUNCTION lead_email_key(p_email text) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT sha256(key || convert_to(lower(p_email), 'UTF8')) FROM server_keys
     WHERE name = 'client_hash'
$$;
