-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- What CRMs call the stages, and the CRM webhook's processed events.
-- Aliases are matched case-insensitively (stored lower-case, trimmed).
CREATE TABLE stage_aliases (
    alias text PRIMARY KEY CHECK (alias = lower(btrim(alias)) AND length(alias) BETWEEN 1 AND 200),
    stage text NOT NULL REFERENCES stages ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE TRIGGER stage_aliases_audit AFTER INSERT OR UPDATE OR DELETE ON stage_aliases
    FOR EACH ROW EXECUTE FUNCTION audit_row('alias');
-- Salesforce's and HubSpot's default pipelines (HubSpot by label and by
-- internal id).
INSERT INTO stage_aliases (alias, stage) VALUES
    ('qualification', 'discovery'), ('needs analysis', 'discovery'),
    ('value proposition', 'evaluation'), ('id. decision makers', 'evaluation'),
    ('perception analysis', 'evaluation'), ('proposal/price quote', 'proposal'),
    ('negotiation/review', 'negotiation'), ('closed won', 'closed_won'),
    ('closed lost', 'closed_lost'),
    ('appointment scheduled', 'discovery'), ('appointmentscheduled', 'discovery'),
    ('qualified to buy', 'discovery'), ('qualifiedtobuy', 'discovery'),
    ('presentation scheduled', 'evaluation'), ('presentationscheduled', 'evaluation'),
    ('decision maker bought-in', 'proposal'), ('decisionmakerboughtin', 'proposal'),
    ('contract sent', 'negotiation'), ('contractsent', 'negotiation'),
    ('closedwon', 'closed_won'), ('closedlost', 'closed_lost');

-- A stage slug, or the stage an alias names, or NULL.
CREATE FUNCTION resolve_stage(crm_name text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT slug FROM stages WHERE slug = crm_name),
                    (SELECT stage FROM stage_aliases WHERE alias = lower(btrim(crm_name))))
$$;

CREATE TABLE crm_events (
    event_id    text PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 200),
    deal_id     uuid REFERENCES deals ON DELETE SET NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
