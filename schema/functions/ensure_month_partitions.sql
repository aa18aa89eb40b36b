-- Creates the monthly partitions of @parent from the month of @from_month
-- to @months_ahead months after now. Idempotent; run at start-up.
CREATE OR REPLACE FUNCTION ensure_month_partitions(parent regclass, from_month timestamptz,
                                        months_ahead integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m timestamptz := date_trunc('month', from_month);
    name text;
BEGIN
    WHILE m <= date_trunc('month', now()) + make_interval(months => months_ahead) LOOP
        name := format('%s_%s', parent::text, to_char(m, 'YYYY_MM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           name, parent, m, m + interval '1 month');
        END IF;
        m := m + interval '1 month';
    END LOOP;
END $$;
