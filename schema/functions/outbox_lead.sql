-- lead.sales_ready: a visitor who agreed to follow-up left their details
-- on a gated page of sales-intent content.
CREATE OR REPLACE FUNCTION outbox_lead() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('lead.sales_ready') THEN
        PERFORM outbox_emit('lead.sales_ready', coalesce(jsonb_agg(jsonb_build_object(
            'data', jsonb_build_object('lead_id', l.id, 'created_at', rfc3339(l.created_at),
                'asset_id', l.asset_id, 'asset_title', a.title, 'version', l.version,
                'name', l.name, 'email', l.email, 'company', l.company,
                'disclosure', l.disclosure),
            'text', format('%s%s asked for follow-up on %s', l.name,
                           coalesce(' (' || l.company || ')', ''), a.title))
            ORDER BY l.created_at, l.id), '[]'))
        FROM new_leads l JOIN assets a ON a.id = l.asset_id
        WHERE l.readiness = 'sales_ready';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER leads_outbox AFTER INSERT ON leads
    REFERENCING NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION outbox_lead();
