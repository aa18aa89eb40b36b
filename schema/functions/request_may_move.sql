-- Where a request may go from where it is.
CREATE OR REPLACE FUNCTION request_may_move(from_status text, to_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (from_status, to_status) IN (('open', 'planned'), ('open', 'in_progress'),
        ('open', 'fulfilled'), ('open', 'declined'), ('planned', 'in_progress'),
        ('planned', 'fulfilled'), ('planned', 'declined'), ('in_progress', 'fulfilled'),
        ('in_progress', 'declined'))
$$;
