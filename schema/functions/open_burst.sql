-- The burst rule: whether a person-looking open at @p_at from the
-- address hashed @p_hash, of a share made less than 10 s before, is a
-- scanner sweeping a mailbox: the address opened 5 or more different
-- shares in the last minute, counting @p_earlier (shares of opens made by
-- the same statement, which it cannot see yet).
CREATE OR REPLACE FUNCTION open_burst(p_hash bytea, p_at timestamptz, p_earlier uuid[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT x.share_id) >= 5
    FROM (SELECT o.share_id FROM opens o
          WHERE o.client_hash = p_hash AND o.at > p_at - interval '1 minute'
          UNION ALL
          SELECT unnest(p_earlier)) x
$$;
