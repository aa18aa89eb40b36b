-- What the public page of @a shows.
CREATE OR REPLACE FUNCTION public_page_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', a.id, 'title', a.title, 'description', a.description,
        'kind', a.kind, 'gated', a.gated, 'disclosure', a.disclosure,
        'disclosure_sha256', disclosure_sha256(a.disclosure), 'link', a.url IS NOT NULL,
        'filename', v.filename, 'size', b.size)
    FROM (SELECT 1) one
    LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = a.current_version
    LEFT JOIN blobs b ON b.id = v.blob_id
$$;
