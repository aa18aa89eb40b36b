-- Decisions are history: never changed, never deleted.
CREATE OR REPLACE FUNCTION review_decisions_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review decisions are never changed or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE OR REPLACE TRIGGER review_decisions_frozen BEFORE UPDATE OR DELETE ON review_decisions
    FOR EACH ROW EXECUTE FUNCTION review_decisions_frozen();
