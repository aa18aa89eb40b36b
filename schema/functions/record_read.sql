-- Records a beacon of the viewer page @p_view of the tracked link
-- @p_token: @p_seconds[i] more seconds in view on page @p_page[i] (pages
-- checked by the caller to lie in 1..@p_pages, seconds positive) of a
-- document of @p_pages pages. Answers in a word:
--   'recorded'  added to the read, and the rep's notification of the
--               share's first open now says what was read (open_message);
--   'missing'   no open of this link carries this view id;
--   'gone'      the link was revoked or has expired, or its asset retired;
--   'ignored'   the open was a bot's (nothing is recorded);
--   'pages'     @p_pages is not the page count the document has (the one
--               extraction found, else the one the view's first beacon said);
--   'too_long'  the read would hold more seconds than have passed since
--               the open (plus @p_slack), or more than @p_cap in all.
-- Called by the group-commit writers (server/db/engagement.c); the read's
-- row is locked, so concurrent beacons of a view add up.
CREATE OR REPLACE FUNCTION record_read(p_token text, p_view uuid, p_pages integer,
                                       p_page integer[], p_seconds double precision[],
                                       p_slack double precision, p_cap double precision)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    o record;
    r open_reads;
    known integer;
    more double precision := (SELECT coalesce(sum(x), 0) FROM unnest(p_seconds) x);
BEGIN
    SELECT op.at, op.is_bot, s.id AS share_id, v.blob_id,
           s.revoked_at IS NULL AND a.status <> 'retired' AND a.audience = 'external'
               AND (s.expires_at IS NULL OR s.expires_at >= now()) AS live
        INTO o
        FROM shares s
        JOIN assets a ON a.id = s.asset_id
        JOIN opens op ON op.share_id = s.id AND op.view_id = p_view
        LEFT JOIN asset_versions v ON v.asset_id = s.asset_id AND v.number = s.version
        WHERE s.token = p_token;
    IF NOT FOUND THEN
        RETURN 'missing';
    ELSIF NOT o.live THEN
        RETURN 'gone';
    ELSIF o.is_bot THEN
        RETURN 'ignored';
    END IF;
    INSERT INTO open_reads (view_id, share_id, opened_at, pages)
        VALUES (p_view, o.share_id, o.at, p_pages) ON CONFLICT (view_id) DO NOTHING;
    SELECT * INTO r FROM open_reads WHERE view_id = p_view FOR UPDATE;
    known := coalesce((SELECT t.pages FROM blob_texts t
                       WHERE t.blob_id = o.blob_id AND t.status = 'done' AND t.pages > 0),
                      r.pages);
    IF p_pages <> known OR p_pages <> r.pages THEN
        RETURN 'pages';
    ELSIF r.seconds + more > extract(epoch FROM now() - o.at) + p_slack
          OR r.seconds + more > p_cap THEN
        RETURN 'too_long';
    END IF;
    INSERT INTO open_read_pages (view_id, page, seconds)
        SELECT p_view, x.page, sum(x.seconds)
        FROM unnest(p_page, p_seconds) AS x(page, seconds)
        GROUP BY x.page
        ON CONFLICT (view_id, page)
            DO UPDATE SET seconds = open_read_pages.seconds + excluded.seconds;
    UPDATE open_reads SET seconds = seconds + more, beacons = beacons + 1, updated_at = now()
        WHERE view_id = p_view;
    UPDATE notifications SET message = open_message(o.share_id)
        WHERE share_id = o.share_id AND kind = 'share_opened';
    RETURN 'recorded';
END $$;
