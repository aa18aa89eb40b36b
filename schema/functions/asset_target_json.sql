-- Where @a's content is, as open_links() says it for a share: {url} for a
-- link asset, else {blob, size, version, sha256, mime, filename} of its
-- current version.
CREATE OR REPLACE FUNCTION asset_target_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN a.url IS NOT NULL THEN jsonb_build_object('url', a.url)
        ELSE (SELECT jsonb_build_object('blob', v.blob_id, 'size', b.size, 'version', v.number,
                  'sha256', encode(b.sha256, 'hex'), 'mime', v.mime, 'filename', v.filename)
              FROM asset_versions v JOIN blobs b ON b.id = v.blob_id
              WHERE v.asset_id = a.id AND v.number = a.current_version) END
$$;
