-- The part of the evidence whose change is news: shares, opens by people,
-- the verdict of each stage, feedback and fulfilled requests. A kept
-- asset comes back to the queue early when it differs from the snapshot.
CREATE OR REPLACE FUNCTION review_evidence_key(e jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('shares', e->'shares', 'human_opens', e->'human_opens',
        'verdicts', (SELECT jsonb_object_agg(v->>'stage', v->>'verdict')
                     FROM jsonb_array_elements(e->'verdicts') v),
        'feedback', (e->'feedback') - 'comments',
        'fulfilled', jsonb_array_length(e->'fulfilled_requests'))
$$;
