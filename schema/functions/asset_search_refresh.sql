-- After a blob's text is stored: the search documents of the assets whose
-- current version is that blob are computed again (assets_search runs on
-- an update of search).
CREATE OR REPLACE FUNCTION asset_search_refresh(p_blob bigint) RETURNS void
LANGUAGE sql AS $$
    UPDATE assets a SET search = NULL
      FROM asset_versions v
     WHERE v.asset_id = a.id AND v.number = a.current_version AND v.blob_id = p_blob
$$;
