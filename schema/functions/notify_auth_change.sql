-- Credential changes are announced on the channel nextstage_auth, so that
-- servers caching resolved credentials drop them at once (see
-- server/http/auth.c). Inserts need no announcement: nothing caches a
-- credential that does not exist yet. A token's last use
-- (api_tokens.last_used_at, written in the background) changes no
-- credential: only updates naming the columns a lookup reads announce.
CREATE OR REPLACE FUNCTION notify_auth_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nextstage_auth', TG_TABLE_NAME);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER users_notify_auth AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE OR REPLACE TRIGGER sessions_notify_auth AFTER UPDATE OR DELETE OR TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE OR REPLACE TRIGGER api_tokens_notify_auth
    AFTER UPDATE OF id, user_id, token_hash, revoked_at OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
