-- Retention of raw personal events (issue 17 §4; README, "Retention"):
-- opens, page views and downloads older than NEXTSTAGE_RETAIN_EVENTS_DAYS,
-- and leads older than NEXTSTAGE_RETAIN_LEADS_DAYS, are removed by
-- a retention pass (schema/functions/retention_rows.sql). What the app shows
-- of them stays: what the rollups already hold is not touched, and what
-- was read from the raw rows themselves is kept here as counts, with no
-- address, user agent, time of day or person in them.

-- A share's opens that retention removed (share_json adds them to the
-- opens still there; the share.opened event reads it for first_open).
CREATE TABLE retired_share_opens (
    share_id    uuid PRIMARY KEY REFERENCES shares ON DELETE CASCADE,
    opens       bigint NOT NULL DEFAULT 0,
    human_opens bigint NOT NULL DEFAULT 0
);

-- An asset's public page views and downloads that retention removed
-- (asset_public_json adds them).
CREATE TABLE retired_page_views (
    asset_id        uuid PRIMARY KEY,
    views           bigint NOT NULL DEFAULT 0,
    human_views     bigint NOT NULL DEFAULT 0,
    downloads       bigint NOT NULL DEFAULT 0,
    human_downloads bigint NOT NULL DEFAULT 0
);

-- An asset's current leads that retention removed, and how many of them
-- were sales-ready (asset_public_json adds them).
CREATE TABLE retired_leads (
    asset_id    uuid PRIMARY KEY,
    leads       bigint NOT NULL DEFAULT 0,
    sales_ready bigint NOT NULL DEFAULT 0
);

-- What the removed opens had put into the usage rollups (kinds as in
-- usage_rollup), and the shares a removed open by a person made "opened":
-- analytics_rebuild starts from these, so that a rebuild after retention
-- gives the rollups the fold had made.
CREATE TABLE retired_usage (
    kind          text NOT NULL
                  CHECK (kind IN ('asset_day', 'asset_month', 'rep_day', 'rep_month', 'day')),
    day           date NOT NULL,
    id            uuid NOT NULL,
    opens         bigint NOT NULL DEFAULT 0,
    human_opens   bigint NOT NULL DEFAULT 0,
    opened_shares bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, day, id)
);
CREATE TABLE retired_opened_shares (share_id uuid PRIMARY KEY);
