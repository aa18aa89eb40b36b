-- The current answers about @asset, summed up.
CREATE OR REPLACE FUNCTION feedback_summary_json(asset uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('answers', count(*),
        'useful_to_me', count(*) FILTER (WHERE useful_to_me),
        'not_useful_to_me', count(*) FILTER (WHERE NOT useful_to_me),
        'useful_to_prospect', count(*) FILTER (WHERE useful_to_prospect),
        'not_useful_to_prospect', count(*) FILTER (WHERE NOT useful_to_prospect),
        'ratings', count(rating), 'rating_avg', round(avg(rating), 2),
        'made_own', count(*) FILTER (WHERE made_own),
        'comments', coalesce((SELECT jsonb_agg(jsonb_build_object('comment', c.comment,
                'made_own_text', c.made_own_text, 'at', rfc3339(c.created_at))
                ORDER BY c.created_at DESC, c.id DESC)
            FROM (SELECT * FROM feedback WHERE asset_id = asset AND replaced_at IS NULL
                  AND (comment IS NOT NULL OR made_own_text IS NOT NULL)
                  ORDER BY created_at DESC, id DESC LIMIT 5) c), '[]'))
    FROM feedback WHERE asset_id = asset AND replaced_at IS NULL
$$;
