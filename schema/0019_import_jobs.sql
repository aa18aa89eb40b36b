-- Deal imports as jobs: the uploaded file is kept as a blob until its
-- job has run, so an import answered 202 survives a restart; the job's
-- row holds its parameters, its progress and, once done, its report.
CREATE TABLE import_jobs (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor       uuid NOT NULL REFERENCES users,
    blob_id     bigint REFERENCES blobs ON DELETE SET NULL, -- NULL once run
    params      jsonb NOT NULL,  -- {dry_run, date_format, tz, decimal, charset}
    rows_total  integer NOT NULL CHECK (rows_total >= 0),
    status      text NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'done', 'failed')),
    report      jsonb,           -- when done
    error       text,            -- when failed: why, in a sentence
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);
CREATE INDEX import_jobs_queue ON import_jobs (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX import_jobs_actor ON import_jobs (actor, created_at DESC);

-- The row-at-a-time import of migration 0008, which schema/functions/ no
-- longer names (import_merge replaces it).
DROP FUNCTION IF EXISTS import_deal_row(jsonb);
