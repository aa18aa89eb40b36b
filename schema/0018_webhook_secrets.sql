-- The secrets that sign incoming webhooks, managed by admins through the
-- API: kind 'crm' signs POST /api/v1/hooks/crm (X-Nextstage-Signature),
-- kind 'hubspot' is a HubSpot app's client secret (X-HubSpot-Signature-v3).
-- A secret is valid while it is not revoked and not past expires_at; a
-- rotation gives the old one an expiry and makes its successor (replaces),
-- so both verify during the overlap. The value itself is in @secret: sealed
-- (libsodium secretbox, nonce first) under NEXTSTAGE_SECRET_KEY when the
-- server has that key, else the bytes as given (sealed false). Revoking
-- wipes it. The audit trigger (schema/functions/audit_row.sql) leaves the
-- secret column out.
CREATE TABLE webhook_secrets (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind       text NOT NULL CHECK (kind IN ('crm', 'hubspot')),
    label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
    secret     bytea NOT NULL,
    sealed     boolean NOT NULL,
    replaces   uuid REFERENCES webhook_secrets,
    created_by uuid REFERENCES users,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    CHECK (revoked_at IS NULL OR secret = '\x'::bytea)
);
-- One current (not rotated, not revoked) secret per kind and label.
CREATE UNIQUE INDEX webhook_secrets_current ON webhook_secrets (kind, label)
    WHERE expires_at IS NULL AND revoked_at IS NULL;
CREATE INDEX webhook_secrets_live ON webhook_secrets (kind) WHERE revoked_at IS NULL;
