-- The stage a CRM's name for it means: a slug or a stage's name (case and
-- surrounding spaces aside), or a known alias; NULL when none.
CREATE OR REPLACE FUNCTION resolve_stage(crm_name text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT slug FROM stages WHERE slug = crm_name),
                    (SELECT stage FROM stage_aliases WHERE alias = lower(btrim(crm_name))),
                    (SELECT slug FROM stages WHERE slug = lower(btrim(crm_name))
                         OR lower(name) = lower(btrim(crm_name)) ORDER BY slug = lower(btrim(crm_name)) DESC LIMIT 1))
$$;
