-- Part of a retention pass (retention_rows.sql, retention_months.sql).

-- The partitions of @parent with their bounds (both NULL for the default
-- partition), as ensure_month_partitions made them.
CREATE OR REPLACE FUNCTION retention_partitions(parent regclass)
RETURNS TABLE (name text, lower timestamptz, upper timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT c.relname::text,
           substring(b.expr FROM 'FROM \(''([^'']+)''\)')::timestamptz,
           substring(b.expr FROM 'TO \(''([^'']+)''\)')::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS expr) b
    WHERE i.inhparent = parent
$$;
