-- The search document (search, search_head) and a token's last use are derived data: they stay
-- out of the audit trail, and an update that changes nothing else is not a
-- change. Credentials (password and token digests, webhook secrets) never
-- enter it.
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b jsonb;
    a jsonb;
    key text := TG_ARGV[0];
BEGIN
    IF TG_OP <> 'INSERT' THEN b := to_jsonb(OLD) - 'password_hash' - 'token_hash' - 'secret' - 'search' - 'search_head' - 'last_used_at'; END IF;
    IF TG_OP <> 'DELETE' THEN a := to_jsonb(NEW) - 'password_hash' - 'token_hash' - 'secret' - 'search' - 'search_head' - 'last_used_at'; END IF;
    IF TG_OP = 'UPDATE' AND a = b THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit (actor, action, entity, entity_id, before, after)
    VALUES (nullif(current_setting('nextstage.actor', true), '')::uuid,
            CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
            TG_TABLE_NAME, coalesce(a, b) ->> key, b, a);
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER users_audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER webhooks_audit AFTER INSERT OR UPDATE OR DELETE ON webhooks
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER personas_audit AFTER INSERT OR UPDATE OR DELETE ON personas
    FOR EACH ROW EXECUTE FUNCTION audit_row('slug');
CREATE OR REPLACE TRIGGER stages_audit AFTER INSERT OR UPDATE OR DELETE ON stages
    FOR EACH ROW EXECUTE FUNCTION audit_row('slug');
CREATE OR REPLACE TRIGGER assets_audit AFTER INSERT OR UPDATE OR DELETE ON assets
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER api_tokens_audit AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER asset_versions_audit AFTER INSERT OR UPDATE OR DELETE ON asset_versions
    FOR EACH ROW EXECUTE FUNCTION audit_row('asset_id');
-- A bulk statement may write its own audit rows (import_merge does):
-- while nextstage.audit is 'by_statement', the rows it touches are not
-- audited one by one.
CREATE OR REPLACE TRIGGER deals_audit AFTER INSERT OR UPDATE OR DELETE ON deals
    FOR EACH ROW WHEN (current_setting('nextstage.audit', true) IS DISTINCT FROM 'by_statement')
    EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER shares_audit AFTER INSERT OR UPDATE OR DELETE ON shares
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER stage_aliases_audit AFTER INSERT OR UPDATE OR DELETE ON stage_aliases
    FOR EACH ROW EXECUTE FUNCTION audit_row('alias');
CREATE OR REPLACE TRIGGER owner_aliases_audit AFTER INSERT OR UPDATE OR DELETE ON owner_aliases
    FOR EACH ROW EXECUTE FUNCTION audit_row('folded');
CREATE OR REPLACE TRIGGER content_requests_audit AFTER INSERT OR UPDATE OR DELETE ON content_requests
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER review_decisions_audit AFTER INSERT ON review_decisions
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE OR REPLACE TRIGGER webhook_secrets_audit AFTER INSERT OR UPDATE OR DELETE ON webhook_secrets
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
