-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Shares (tracked links), their opens, and notifications.
CREATE TABLE shares (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token           text NOT NULL UNIQUE CHECK (length(token) >= 22),
    asset_id        uuid NOT NULL REFERENCES assets,
    version         integer, -- the pinned version; NULL for a link asset
    deal_id         uuid REFERENCES deals ON DELETE SET NULL,
    rep_id          uuid NOT NULL REFERENCES users,
    channel         text NOT NULL
                    CHECK (channel IN ('email', 'link', 'social', 'meeting', 'other')),
    recipient_email text CHECK (length(recipient_email) BETWEEN 3 AND 254),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (asset_id, version) REFERENCES asset_versions (asset_id, number)
);
CREATE INDEX shares_asset ON shares (asset_id, created_at);
CREATE INDEX shares_deal ON shares (deal_id, created_at) WHERE deal_id IS NOT NULL;
CREATE INDEX shares_rep ON shares (rep_id, created_at DESC);
CREATE TRIGGER shares_audit AFTER INSERT OR UPDATE OR DELETE ON shares
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');

-- Opens are events: partitioned by month (see ensure_month_partitions),
-- a default partition for anything older (back-filled history), BRIN on
-- time. The client address is kept only as a keyed hash.
CREATE TABLE opens (
    id          bigint GENERATED ALWAYS AS IDENTITY,
    share_id    uuid NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    client_hash bytea,
    ua_class    text NOT NULL,
    is_bot      boolean NOT NULL,
    bot_reason  text
) PARTITION BY RANGE (at);
CREATE TABLE opens_default PARTITION OF opens DEFAULT;
CREATE INDEX opens_at ON opens USING brin (at);
CREATE INDEX opens_share ON opens (share_id, at);

-- Creates the monthly partitions of @parent from the month of @from_month
-- to @months_ahead months after now. Idempotent; run at start-up.
CREATE FUNCTION ensure_month_partitions(parent regclass, from_month timestamptz,
                                        months_ahead integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m timestamptz := date_trunc('month', from_month);
    name text;
BEGIN
    WHILE m <= date_trunc('month', now()) + make_interval(months => months_ahead) LOOP
        name := format('%s_%s', parent::text, to_char(m, 'YYYY_MM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           name, parent, m, m + interval '1 month');
        END IF;
        m := m + interval '1 month';
    END LOOP;
END $$;
SELECT ensure_month_partitions('opens', now(), 3);

CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    kind       text NOT NULL,
    message    text NOT NULL,
    share_id   uuid REFERENCES shares ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
-- One "opened" notification per share.
CREATE UNIQUE INDEX notifications_first_open ON notifications (share_id) WHERE kind = 'share_opened';

CREATE FUNCTION share_json(s shares) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.id, 'token', s.token, 'asset_id', s.asset_id,
        'version', s.version, 'deal_id', s.deal_id, 'rep_id', s.rep_id, 'channel', s.channel,
        'recipient_email', s.recipient_email, 'expires_at', rfc3339(s.expires_at),
        'revoked_at', rfc3339(s.revoked_at), 'created_at', rfc3339(s.created_at),
        'opens', (SELECT count(*) FROM opens o WHERE o.share_id = s.id),
        'human_opens', (SELECT count(*) FROM opens o WHERE o.share_id = s.id AND NOT o.is_bot))
$$;

-- The key of the keyed hash of client addresses: made once, never shown.
CREATE TABLE server_keys (
    name text PRIMARY KEY,
    key  bytea NOT NULL CHECK (length(key) = 32)
);
INSERT INTO server_keys
    SELECT 'client_hash', decode(md5(gen_random_uuid()::text) || md5(gen_random_uuid()::text), 'hex');
