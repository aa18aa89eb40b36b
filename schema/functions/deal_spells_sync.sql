-- Recomputes spells and exposures of deal @d from its timeline and shares
-- (deals_spells_sync for one deal).
CREATE OR REPLACE FUNCTION deal_spells_sync(d uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deals_spells_sync(ARRAY[d]);
END $$;
