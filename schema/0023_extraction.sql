-- Text and previews out of files (issue 16). Extraction works on blobs:
-- identical bytes are extracted once, whichever versions share them.
-- blob_texts says what became of a blob's text (its text_status), the
-- pages hold the text page by page (slide by slide, sheet by sheet), and
-- extract_jobs is the durable queue the workers take jobs from with
-- FOR UPDATE SKIP LOCKED: a job is deleted when its outcome is stored,
-- so a job whose worker died (a restart) is still there to be taken.
CREATE TABLE blob_texts (
    blob_id       bigint PRIMARY KEY REFERENCES blobs ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'done', 'empty', 'encrypted', 'too_large', 'failed')),
    reason        text,             -- why, in a sentence (failed, too_large, encrypted)
    pages         integer CHECK (pages >= 0),
    doc           tsvector,         -- every page's words, for the assets' search documents
    thumb_blob_id bigint REFERENCES blobs ON DELETE SET NULL,
    thumb_mime    text,
    extracted_at  timestamptz
);
CREATE INDEX blob_texts_thumb ON blob_texts (thumb_blob_id) WHERE thumb_blob_id IS NOT NULL;

CREATE TABLE blob_pages (
    blob_id bigint NOT NULL REFERENCES blob_texts ON DELETE CASCADE,
    page    integer NOT NULL CHECK (page >= 1),
    text    text NOT NULL,
    words   tsvector NOT NULL,      -- to_tsvector('english', text)
    PRIMARY KEY (blob_id, page)
);

CREATE TABLE extract_jobs (
    blob_id    bigint PRIMARY KEY REFERENCES blob_texts ON DELETE CASCADE,
    mime       text NOT NULL,
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    run_after  timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX extract_jobs_due ON extract_jobs (run_after);

-- Every version stored before extraction existed is queued.
INSERT INTO blob_texts (blob_id) SELECT DISTINCT blob_id FROM asset_versions
    ON CONFLICT DO NOTHING;
INSERT INTO extract_jobs (blob_id, mime)
    SELECT DISTINCT ON (blob_id) blob_id, mime FROM asset_versions ORDER BY blob_id, number
    ON CONFLICT DO NOTHING;

-- version_json() takes the blob's extraction as a third row
-- (schema/functions/version_json.sql); the two-row form came from
-- migration 0011, before schema/functions/ kept the list of what to drop.
DROP FUNCTION IF EXISTS version_json(asset_versions, blobs);
