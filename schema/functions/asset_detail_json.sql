-- One asset as the API shows it alone: with its usage, feedback and
-- its public page's numbers.
CREATE OR REPLACE FUNCTION asset_detail_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a) || jsonb_build_object('usage', asset_usage_json(a.id),
                                               'feedback', feedback_summary_json(a.id),
                                               'public_page', asset_public_json(a.id))
$$;
