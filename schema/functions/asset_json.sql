-- @score is search's relevance or sort key, @verdicts what the next-stage
-- test says of the asset (search: [{stage, verdict, explanation}] of its
-- judged stages), @snippet where the words are in its file (search:
-- {page, html} or null); asset_json(a) drops them. thumbnail and
-- text_status are the current version's (version_json), for lists and
-- search results.
CREATE OR REPLACE FUNCTION asset_json(a assets, current_version json, score numeric,
                                      verdicts json, snippet json) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', a.id, 'title', a.title, 'description', a.description,
        'kind', a.kind, 'intent', a.intent, 'personas', a.personas, 'stages', a.stages,
        'tags', a.tags, 'status', a.status, 'audience', a.audience, 'public', a.public,
        'gated', a.gated, 'downloadable', a.downloadable,
        'disclosure', a.disclosure, 'owner', a.owner, 'expires_at', rfc3339(a.expires_at),
        'source', a.source, 'url', a.url, 'current_version', current_version,
        'thumbnail', current_version->'thumbnail', 'text_status', current_version->'text_status',
        'created_at', rfc3339(a.created_at), 'updated_at', rfc3339(a.updated_at),
        'verdicts', verdicts, 'score', score, 'snippet', snippet)
$$;

CREATE OR REPLACE FUNCTION asset_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a, (SELECT version_json(v, b, t) FROM asset_versions v
                          JOIN blobs b ON b.id = v.blob_id
                          LEFT JOIN blob_texts t ON t.blob_id = v.blob_id
                          WHERE v.asset_id = a.id AND v.number = a.current_version),
                      NULL, NULL, NULL)::jsonb - 'score' - 'verdicts' - 'snippet'
$$;
