-- verdict.changed: the next-stage test's stored verdict of an asset at a
-- stage changed (a first verdict counts when it says more than
-- insufficient_data). @p_changes: {asset_id, stage, from} per change.
CREATE OR REPLACE FUNCTION outbox_verdicts(p_changes jsonb) RETURNS void
LANGUAGE sql AS $$
    SELECT outbox_emit('verdict.changed', coalesce(jsonb_agg(jsonb_build_object(
        'data', jsonb_build_object('asset_id', v.asset_id, 'asset_title', a.title,
            'stage', v.stage, 'from', c.value->>'from', 'to', v.verdict, 'n', v.n,
            'observed', v.observed, 'lift', v.lift, 'ci_low', v.ci_low,
            'ci_high', v.ci_high, 'computed_at', rfc3339(v.computed_at)),
        'text', format('%s at %s: %s', a.title, v.stage,
                       coalesce(replace(c.value->>'from', '_', ' ') || ' -> ', '')
                       || replace(v.verdict, '_', ' ')))
        ORDER BY v.asset_id, v.stage), '[]'))
    FROM jsonb_array_elements(p_changes) c
    JOIN stage_verdicts v ON v.asset_id = (c.value->>'asset_id')::uuid
                         AND v.stage = c.value->>'stage'
    JOIN assets a ON a.id = v.asset_id
$$;

CREATE OR REPLACE FUNCTION outbox_verdict_first() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('verdict.changed') THEN
        PERFORM outbox_verdicts(coalesce(jsonb_agg(jsonb_build_object(
                    'asset_id', v.asset_id, 'stage', v.stage)), '[]'))
        FROM new_verdicts v WHERE v.verdict <> 'insufficient_data';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER stage_verdicts_outbox_first AFTER INSERT ON stage_verdicts
    REFERENCING NEW TABLE AS new_verdicts FOR EACH STATEMENT
    EXECUTE FUNCTION outbox_verdict_first();

CREATE OR REPLACE FUNCTION outbox_verdict_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF outbox_wanted('verdict.changed') THEN
        PERFORM outbox_verdicts(coalesce(jsonb_agg(jsonb_build_object(
                    'asset_id', v.asset_id, 'stage', v.stage, 'from', o.verdict)), '[]'))
        FROM new_verdicts v JOIN old_verdicts o ON o.asset_id = v.asset_id AND o.stage = v.stage
        WHERE o.verdict <> v.verdict;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER stage_verdicts_outbox_changed AFTER UPDATE ON stage_verdicts
    REFERENCING OLD TABLE AS old_verdicts NEW TABLE AS new_verdicts FOR EACH STATEMENT
    EXECUTE FUNCTION outbox_verdict_changed();
