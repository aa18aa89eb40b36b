-- The usage and verdicts shown with one asset (GET /assets/{id}): its
-- rollup plus its own rows past the marks, found from its shares by index
-- (not usage_asset_now, which reads every row past the marks).
CREATE OR REPLACE FUNCTION asset_usage_json(asset uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT (SELECT done FROM rollup_marks WHERE source = 'shares') AS shares,
                      (SELECT done FROM rollup_marks WHERE source = 'opens') AS opens),
    s AS (SELECT id, seq, created_at FROM shares WHERE asset_id = asset),
    t AS (SELECT count(*) FILTER (WHERE s.seq > m.shares) AS shares,
                 max(s.created_at) FILTER (WHERE s.seq > m.shares) AS last_shared_at
          FROM s, m),
    o AS (SELECT count(*) AS opens, count(*) FILTER (WHERE NOT o.is_bot) AS human_opens
          FROM s JOIN opens o ON o.share_id = s.id, m WHERE o.id > m.opens)
    SELECT jsonb_build_object(
        'shares', coalesce(u.shares, 0) + t.shares, 'opens', coalesce(u.opens, 0) + o.opens,
        'human_opens', coalesce(u.human_opens, 0) + o.human_opens,
        'last_shared_at', rfc3339(greatest(u.last_shared_at, t.last_shared_at)),
        'verdicts', coalesce((SELECT jsonb_agg(jsonb_build_object('stage', v.stage,
                'n', v.n, 'observed', v.observed, 'expected', v.expected, 'lift', v.lift,
                'ci_low', v.ci_low, 'ci_high', v.ci_high, 'p_value', v.p_value,
                'q_value', v.q_value, 'verdict', v.verdict, 'banded', v.banded,
                'pending', v.pending, 'summary', v.summary, 'explanation', v.explanation,
                'computed_at', rfc3339(v.computed_at)) ORDER BY st.position)
            FROM stage_verdicts v JOIN stages st ON st.slug = v.stage
            WHERE v.asset_id = asset), '[]'))
    FROM t, o LEFT JOIN usage_asset u ON u.asset_id = asset
$$;
