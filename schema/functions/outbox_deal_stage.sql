-- deal.stage_changed: a deal's current stage changed (from the CRM, an
-- import or the API); history filled in behind the current stage is not
-- a change of it.
CREATE OR REPLACE FUNCTION outbox_deal_stage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('deal.stage_changed') THEN
        PERFORM outbox_emit('deal.stage_changed', coalesce(jsonb_agg(jsonb_build_object(
            'data', jsonb_build_object('deal_id', d.id, 'external_id', d.external_id,
                'name', d.name, 'account', d.account, 'amount', d.amount, 'owner_id', d.owner,
                'owner_name', u.name, 'from', o.stage, 'to', d.stage,
                'at', rfc3339((SELECT max(x.at) FROM deal_stages x WHERE x.deal_id = d.id))),
            'text', format('%s moved from %s to %s', d.name, fs.name, ts.name))
            ORDER BY d.id), '[]'))
        FROM new_deals d
        JOIN old_deals o ON o.id = d.id
        JOIN stages fs ON fs.slug = o.stage
        JOIN stages ts ON ts.slug = d.stage
        LEFT JOIN users u ON u.id = d.owner
        WHERE o.stage <> d.stage;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER deals_outbox AFTER UPDATE ON deals
    REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals FOR EACH STATEMENT
    EXECUTE FUNCTION outbox_deal_stage();
