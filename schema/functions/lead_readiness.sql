-- sales_ready for sales-intent content with consent, else nurture (README,
-- "Public asset pages and leads").
CREATE OR REPLACE FUNCTION lead_readiness(intent text, consent boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN consent AND intent = 'sales' THEN 'sales_ready' ELSE 'nurture' END
$$;
