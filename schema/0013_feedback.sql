-- Superseded: the functions, triggers and views defined here are history; each
-- Superseded: one lives, as it is now, in schema/functions/ (applied after these).
-- Rep feedback on assets: one current answer per user and asset; a new
-- answer replaces it and the old one is kept (replaced_at set).
CREATE TABLE feedback (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id           uuid NOT NULL REFERENCES assets ON DELETE CASCADE,
    user_id            uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    useful_to_me       boolean,
    useful_to_prospect boolean,
    rating             smallint CHECK (rating BETWEEN 1 AND 5),
    comment            text CHECK (length(comment) BETWEEN 1 AND 2000),
    made_own           boolean NOT NULL DEFAULT false,
    made_own_text      text CHECK (length(made_own_text) BETWEEN 1 AND 2000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    replaced_at        timestamptz
);
CREATE UNIQUE INDEX feedback_current ON feedback (asset_id, user_id) WHERE replaced_at IS NULL;

-- The current answers about @asset, summed up.
CREATE FUNCTION feedback_summary_json(asset uuid) RETURNS jsonb
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

-- One asset as the API shows it alone: with its usage and feedback.
CREATE OR REPLACE FUNCTION asset_detail_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a) || jsonb_build_object('usage', asset_usage_json(a.id),
                                               'feedback', feedback_summary_json(a.id))
$$;
