-- The prospect's viewer (issue 16 §3): what a person read of a tracked
-- link opened in a browser, page by page.
--
-- An asset may say it is not to be downloaded: the viewer then shows it
-- without a download button (the bytes still reach the browser, which
-- must render them: this is a courtesy, not protection).
ALTER TABLE assets ADD COLUMN downloadable boolean NOT NULL DEFAULT true;

-- The open of a viewer page carries the random id the server wrote into
-- that page (one per page load): the viewer's beacons and file fetches
-- name it, which ties them to the open without a cookie. NULL for every
-- other open (scripts, bots, HEAD, link assets, ingested opens).
ALTER TABLE opens ADD COLUMN view_id uuid;

-- One row per viewer page load that reported reading (the first accepted
-- beacon makes it): @pages the document's page count as the viewer found
-- it (1 for an image, a video or a download card), @seconds the time the
-- page was in view in a visible tab, summed over its pages.
CREATE TABLE open_reads (
    view_id    uuid PRIMARY KEY,
    share_id   uuid NOT NULL REFERENCES shares ON DELETE CASCADE,
    opened_at  timestamptz NOT NULL,
    pages      integer NOT NULL CHECK (pages BETWEEN 1 AND 10000),
    seconds    double precision NOT NULL DEFAULT 0 CHECK (seconds >= 0),
    beacons    integer NOT NULL DEFAULT 0 CHECK (beacons >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX open_reads_share ON open_reads (share_id, opened_at);
CREATE INDEX open_reads_opened ON open_reads (opened_at); -- the usage dashboard's read time

-- Seconds in view per page of a read.
CREATE TABLE open_read_pages (
    view_id uuid NOT NULL REFERENCES open_reads ON DELETE CASCADE,
    page    integer NOT NULL CHECK (page >= 1),
    seconds double precision NOT NULL CHECK (seconds >= 0),
    PRIMARY KEY (view_id, page)
);

-- open_links() takes the viewer pages' ids as a fifth argument now
-- (schema/functions/open_links.sql); the four-argument form goes, and the
-- bookkeeping of schema/functions/ forgets it (it would drop it again).
DROP FUNCTION IF EXISTS open_links(text[], bytea[], text[], text[]);
DO $$
BEGIN
    IF to_regclass('schema_objects') IS NOT NULL THEN -- the binary's; absent when run by hand
        DELETE FROM schema_objects
            WHERE object = 'ROUTINE open_links(text[],bytea[],text[],text[])';
    END IF;
END $$;
