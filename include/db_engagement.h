/* What a prospect reads in the viewer of a tracked link (engagement.c):
 * the viewer's file fetch, bound to the token and to the view id its page
 * was served with (db_opens.h), and its beacons of seconds in view per
 * page, recorded through the group-commit writer (db_writer.h) like the
 * opens themselves, in one call of schema/functions/record_read.sql. */
#ifndef NS_DB_ENGAGEMENT_H
#define NS_DB_ENGAGEMENT_H
#include <stddef.h>
#include "db.h"
#include "db_assets.h"
#include "db_opens.h"
#include "db_writer.h"

/* A beacon adds at most this many seconds more than have passed since
 * the open (the viewer's clock and its batching), and a view holds this
 * many in all at most. */
#define DB_READ_SLACK_S 30
#define DB_READ_CAP_S	(4 * 3600)
/* Pages a document may have, and pages one beacon may name. */
#define DB_READ_PAGES_MAX    10000
#define DB_READ_BEACON_PAGES 100

/* The file of the viewer page @view_id of tracked link @token (both
 * shaped as such), without recording an open: DB_OK with *@state and,
 * for DB_OPEN_SERVED, where its bytes are in *@out. DB_OPEN_MISSING when
 * no open of the link carries that view (or the link is a link asset's),
 * DB_OPEN_GONE / DB_OPEN_RETIRED as for an open. Else DB_UNAVAILABLE or
 * DB_ERROR. */
enum db_status db_viewer_file(const char *token, const char *view_id, enum db_open_state *state,
			      struct asset_content *out);

/* What became of a beacon. */
enum db_read_state {
	DB_READ_RECORDED, /* added to the view's read */
	DB_READ_MISSING,  /* no open of the link carries this view id */
	DB_READ_GONE,	  /* the link was revoked or has expired, or its asset retired */
	DB_READ_IGNORED,  /* the open was a bot's: nothing recorded */
	DB_READ_PAGES,	  /* the page count is not the document's */
	DB_READ_TOO_LONG, /* more seconds than the view has lasted (or the cap) */
};

/* One beacon, from its submission to its outcome; fields engagement.c's. */
struct db_read {
	enum db_status status;
	char *answer;
	struct db_wake wake;
};

/* Queues a beacon of view @view_id of link @token: @n (1 to
 * DB_READ_BEACON_PAGES) pages @page[i] (1..@pages) each seen @seconds[i]
 * (> 0) more, of a document of @pages pages (1..DB_READ_PAGES_MAX).
 * @wake runs once it is committed or failed, or at once when out of
 * memory. Can't fail otherwise. */
void db_read_submit(struct db_read *rd, const char *token, const char *view_id, int pages,
		    const int *page, const double *seconds, size_t n, struct db_wake wake);

/* After the wake: DB_OK with *@state, or the failure (nothing recorded). */
enum db_status db_read_outcome(const struct db_read *rd, enum db_read_state *state);

/* Frees what @rd holds. */
void db_read_clear(struct db_read *rd);

#endif
