-- One asset as the API shows it alone: with its usage, feedback, its
-- public page's numbers, its owner's name, and every version (newest
-- first, with the name of who made it).
CREATE OR REPLACE FUNCTION asset_detail_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a) || jsonb_build_object('usage', asset_usage_json(a.id),
        'feedback', feedback_summary_json(a.id),
        'public_page', asset_public_json(a.id),
        'owner_name', (SELECT u.name FROM users u WHERE u.id = a.owner),
        'versions', (SELECT coalesce(jsonb_agg(version_json(v, b, t)::jsonb
                                               || jsonb_build_object('created_by_name', u.name)
                                               ORDER BY v.number DESC), '[]')
                     FROM asset_versions v JOIN blobs b ON b.id = v.blob_id
                     LEFT JOIN blob_texts t ON t.blob_id = v.blob_id
                     LEFT JOIN users u ON u.id = v.created_by
                     WHERE v.asset_id = a.id))
$$;
