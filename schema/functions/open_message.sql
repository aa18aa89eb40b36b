-- What the rep's notification of a first open of @p_share says: who
-- opened what, then, once the viewer has reported reading, what was read
-- over every read of the share: "Dana opened Guide: read 6 of 12 pages,
-- 4 min" (a one-page document: "Dana opened Photo: viewed for 40 s").
CREATE OR REPLACE FUNCTION open_message(p_share uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(s.recipient_email, (SELECT name FROM deals WHERE id = s.deal_id), 'Someone')
               || ' opened ' || (SELECT title FROM assets WHERE id = s.asset_id)
               || coalesce(': ' || (SELECT CASE WHEN x.pages > 1
                                               THEN format('read %s of %s pages, ', x.viewed, x.pages)
                                               ELSE 'viewed for ' END
                                           || read_time(x.seconds)
                                    FROM share_read(s.id) x WHERE x.seconds > 0), '')
    FROM shares s
    WHERE s.id = p_share
$$;

-- @seconds as a person reads a duration: "40 s", "4 min", "1 h 5 min".
CREATE OR REPLACE FUNCTION read_time(seconds double precision) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN seconds < 59.5 THEN round(seconds)::integer || ' s'
                WHEN seconds < 3570 THEN round(seconds / 60)::integer || ' min'
                ELSE floor(round(seconds / 60) / 60)::integer || ' h '
                     || (round(seconds / 60)::integer % 60) || ' min' END
$$;

-- What the people who opened @p_share in the viewer read, over all their
-- reads: the document's page count, the distinct pages that were in view,
-- the seconds in view, and the seconds per page ({"1": 12.5, ...}).
CREATE OR REPLACE FUNCTION share_read(p_share uuid,
    OUT pages integer, OUT viewed integer, OUT seconds double precision, OUT per_page jsonb)
LANGUAGE sql STABLE AS $$
    SELECT max(r.pages), (SELECT count(DISTINCT p.page)::integer FROM open_reads r2
                          JOIN open_read_pages p ON p.view_id = r2.view_id
                          WHERE r2.share_id = p_share AND p.seconds > 0),
           coalesce(sum(r.seconds), 0),
           (SELECT jsonb_object_agg(q.page, round(q.seconds::numeric, 1))
            FROM (SELECT p.page, sum(p.seconds) AS seconds FROM open_reads r3
                  JOIN open_read_pages p ON p.view_id = r3.view_id
                  WHERE r3.share_id = p_share GROUP BY p.page ORDER BY p.page) q)
    FROM open_reads r
    WHERE r.share_id = p_share
$$;
