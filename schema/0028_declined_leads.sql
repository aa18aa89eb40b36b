-- A visitor who declines follow-up leaves no name, e-mail or company
-- (issue 17): their download is counted, and a keyed hash of the e-mail
-- (lead_email_key) tells one person's submissions apart. Leads are matched
-- by that hash from now on; a later "no" also clears what an earlier "yes"
-- of the same person left for that asset.
ALTER TABLE leads ADD COLUMN email_key bytea;
ALTER TABLE leads ALTER COLUMN name DROP NOT NULL, ALTER COLUMN email DROP NOT NULL;
UPDATE leads SET email_key = sha256((SELECT key FROM server_keys WHERE name = 'client_hash')
                                    || convert_to(lower(email), 'UTF8'));
UPDATE leads l SET name = NULL, email = NULL, company = NULL
 WHERE NOT l.consent
    OR EXISTS (SELECT 1 FROM leads n WHERE n.asset_id = l.asset_id AND n.email_key = l.email_key
               AND n.replaced_at IS NULL AND NOT n.consent);
ALTER TABLE leads ALTER COLUMN email_key SET NOT NULL,
    ADD CONSTRAINT leads_declined_anonymous
        CHECK (consent OR (name IS NULL AND email IS NULL AND company IS NULL)),
    ADD CONSTRAINT leads_current_named
        CHECK (NOT consent OR replaced_at IS NOT NULL OR (name IS NOT NULL AND email IS NOT NULL));
DROP INDEX leads_current;
CREATE UNIQUE INDEX leads_current ON leads (asset_id, email_key) WHERE replaced_at IS NULL;
