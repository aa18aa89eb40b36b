-- Whether asset @a has a public page: 'live'; 'gone' when retired, or
-- published and past expires_at; 'missing' when absent (a row of NULLs),
-- not public, a draft or archived (so nothing tells it exists).
CREATE OR REPLACE FUNCTION public_state(a assets) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.id IS NULL OR NOT a.public OR a.status IN ('draft', 'archived')
                THEN 'missing'
                WHEN a.status = 'retired' OR a.expires_at <= now() THEN 'gone'
                ELSE 'live' END
$$;
