-- A stage slug, or the stage an alias names, or NULL.
CREATE OR REPLACE FUNCTION resolve_stage(crm_name text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT slug FROM stages WHERE slug = crm_name),
                    (SELECT stage FROM stage_aliases WHERE alias = lower(btrim(crm_name))))
$$;
