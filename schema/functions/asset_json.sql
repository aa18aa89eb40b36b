-- @score is search's relevance or sort key, @verdicts what the next-stage
-- test says of the asset (search: [{stage, verdict, explanation}] of its
-- judged stages), @snippet where the words are in its file (search:
-- {page, html} or null); asset_json(a) drops them.
CREATE OR REPLACE FUNCTION asset_json(a assets, current_version json, score numeric,
                                      verdicts json, snippet json) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_object('id', a.id, 'title', a.title, 'description', a.description,
        'kind', a.kind, 'intent', a.intent, 'personas', a.personas, 'stages', a.stages,
        'tags', a.tags, 'status', a.status, 'public', a.public, 'gated', a.gated,
        'disclosure', a.disclosure, 'owner', a.owner, 'expires_at', rfc3339(a.expires_at),
        'source', a.source, 'url', a.url, 'current_version', current_version,
        'created_at', rfc3339(a.created_at), 'updated_at', rfc3339(a.updated_at),
        'verdicts', verdicts, 'score', score, 'snippet', snippet)
$$;

CREATE OR REPLACE FUNCTION asset_json(a assets) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT asset_json(a, (SELECT version_json(v, b) FROM asset_versions v
                          JOIN blobs b ON b.id = v.blob_id
                          WHERE v.asset_id = a.id AND v.number = a.current_version),
                      NULL, NULL, NULL)::jsonb - 'score' - 'verdicts' - 'snippet'
$$;
