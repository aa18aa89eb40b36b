-- The sign-in throttle's rules (README, "Signing in"). Per account: 5
-- failures are free, then each try waits 2^(n - 4) seconds (2, 4, 8...;
-- at most 60)
-- after the last failure, and the 10th locks the account for 15 minutes.
-- Per client address: 20 free, the same growing wait, the 50th locks the
-- address for 15 minutes. Counts older than 15 minutes are forgotten; a
-- success forgets the account's (not the address's: a guesser with an
-- account of their own must not reset it).
CREATE OR REPLACE FUNCTION sign_in_rule(p_kind text, OUT free integer, OUT lock_at integer)
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_kind WHEN 'account' THEN 5 ELSE 20 END,
           CASE p_kind WHEN 'account' THEN 10 ELSE 50 END
$$;

-- The seconds a sign-in must still wait because of row @f (0: it may go).
CREATE OR REPLACE FUNCTION sign_in_wait(f sign_in_failures) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN f.locked_until > now() THEN ceil(extract(epoch FROM f.locked_until - now()))::integer
        WHEN f.last_failed_at < now() - interval '15 minutes' THEN 0
        WHEN f.failures < r.free THEN 0
        ELSE greatest(0, ceil(extract(epoch FROM f.last_failed_at
                 + least(2 ^ (f.failures - r.free + 1), 60) * interval '1 second' - now())))::integer
        END
    FROM sign_in_rule(f.kind) r
$$;

-- The wait due before a sign-in for keys @p_keys (NULLs ignored).
CREATE OR REPLACE FUNCTION sign_in_wait(p_keys bytea[]) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(sign_in_wait(f)), 0) FROM sign_in_failures f WHERE f.key = ANY (p_keys)
$$;

-- Counts a failed sign-in against account @p_account and address @p_addr
-- (NULL: not counted); a count that reaches its lock locks the key and
-- is audited (entity sign_in_lock; the user's id when the account is
-- @p_user's, else the key's hex). Returns the wait now due.
CREATE OR REPLACE FUNCTION sign_in_failed(p_account bytea, p_addr bytea, p_user uuid)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    f sign_in_failures;
BEGIN
    FOR f IN
        INSERT INTO sign_in_failures AS x (key, kind, failures, last_failed_at)
        SELECT k.key, k.kind, 1, now()
        FROM (VALUES (p_account, 'account'), (p_addr, 'address')) k(key, kind)
        WHERE k.key IS NOT NULL
        ON CONFLICT (key) DO UPDATE
           SET failures = CASE WHEN x.last_failed_at < now() - interval '15 minutes'
                                    AND coalesce(x.locked_until, '-infinity') <= now()
                               THEN 1 ELSE x.failures + 1 END,
               last_failed_at = now()
        RETURNING x.*
    LOOP
        IF f.failures = (sign_in_rule(f.kind)).lock_at THEN
            UPDATE sign_in_failures SET locked_until = now() + interval '15 minutes'
             WHERE key = f.key;
            INSERT INTO audit (actor, action, entity, entity_id, after)
            VALUES (NULL, 'create', 'sign_in_lock',
                    CASE WHEN f.kind = 'account' AND p_user IS NOT NULL THEN p_user::text
                         ELSE f.kind || ':' || encode(f.key, 'hex') END,
                    jsonb_build_object('kind', f.kind, 'failures', f.failures,
                                       'locked_until', rfc3339(now() + interval '15 minutes')));
        END IF;
    END LOOP;
    RETURN sign_in_wait(ARRAY[p_account, p_addr]);
END $$;
