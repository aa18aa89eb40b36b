-- Outgoing webhooks and e-mail (issue 17): what leaves nextstage is first
-- written to the outbox, in the transaction of the change it reports
-- (schema/functions/outbox_*.sql), then posted or mailed by the delivery
-- worker (server/deliver/), at least once.

-- An admin's subscription: the events it wants, where they go, the secret
-- that signs them (sealed as webhook_secrets are), and the body it takes
-- ('json': the event; 'slack': {"text": ...} for Slack or Teams).
CREATE TABLE webhooks (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    url        text NOT NULL CHECK (length(url) BETWEEN 10 AND 2000) CHECK (url ~ '^https?://'),
    events     text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
    format     text NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    secret     bytea NOT NULL,
    sealed     boolean NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    created_by uuid REFERENCES users ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A receiver's health, one row per target (a webhook, or the SMTP relay:
-- the nil uuid): after a failure the target is held (no delivery starts)
-- until hold_until, longer after each failure in a row, so a receiver that
-- is down gets one try at a time, not one per waiting event.
CREATE TABLE outbox_targets (
    target     uuid PRIMARY KEY,
    failures   integer NOT NULL DEFAULT 0,
    hold_until timestamptz,
    last_error text
);

-- One delivery of one event to one target. event_id is the event's: the
-- same in every delivery of it and in every retry, so a receiver can drop
-- duplicates. since: when the current run of tries began (the event, or an
-- admin's redelivery); past the retry window the row is parked as failed.
-- A row being sent is leased: sending, with next_at the lease's end; a
-- server that dies mid-delivery leaves it to be sent again after that.
CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     uuid NOT NULL,
    kind         text NOT NULL,
    target       uuid NOT NULL,
    webhook_id   uuid REFERENCES webhooks ON DELETE CASCADE,
    user_id      uuid REFERENCES users ON DELETE CASCADE,
    data         jsonb NOT NULL,
    text         text NOT NULL,
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    sending      boolean NOT NULL DEFAULT false,
    attempts     integer NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    since        timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    last_status  integer,
    attempted_at timestamptz,
    delivered_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((webhook_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX outbox_due ON outbox (target, next_at, id) WHERE state = 'pending';
CREATE INDEX outbox_listed ON outbox (state, id);
CREATE INDEX outbox_webhook ON outbox (webhook_id, id) WHERE webhook_id IS NOT NULL;
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';

-- Each user's choice of e-mail: none, each notification as it happens, or
-- a daily digest of them.
ALTER TABLE users ADD COLUMN email_notifications text NOT NULL DEFAULT 'none'
    CHECK (email_notifications IN ('none', 'each', 'daily'));
-- When each user's last digest covered notifications up to (set when they
-- choose the digest, so the first covers from then on).
CREATE TABLE email_digests (
    user_id uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    upto    timestamptz NOT NULL
);
