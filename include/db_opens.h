/* Tracked-link opens (opens.c): the lookup of a share's token and the
 * record of its open are one job of the group-commit writer (db_writer.h),
 * run for a whole batch of opens in one call of
 * schema/functions/open_links.sql, so the open is committed before the answer goes
 * out. Bots are recorded as bots. */
#ifndef NS_DB_OPENS_H
#define NS_DB_OPENS_H
#include "db.h"
#include "db_assets.h"
#include "db_writer.h"
#include "visitor.h"

/* What became of an open. */
enum db_open_state {
	DB_OPEN_SERVED,	 /* recorded: send the visitor to the share's target */
	DB_OPEN_MISSING, /* no share has this token (nothing recorded) */
	DB_OPEN_GONE,	 /* the share was revoked or has expired (nothing recorded) */
	DB_OPEN_RETIRED, /* the share's asset was retired (nothing recorded) */
};

/* What a viewer page shows of a file, beside where its bytes are. */
struct db_viewer {
	char title[320];
	bool downloadable; /* the asset lets the viewer offer a download */
	int pages;	   /* the page count extraction found; 0: not known */
};

/* One open, from its submission to its outcome: the caller keeps it
 * until it has read the outcome. Its fields are opens.c's. */
struct db_open {
	enum db_status status;
	char *answer; /* open_links()'s */
	struct db_wake wake;
};

/* Queues the open of the tracked link @token (already shaped like one)
 * by @v, answered with the viewer page @view_id (a UUID the caller made
 * at random; NULL: with the content itself), which the open then carries
 * unless the link is a link asset's; @wake runs once it is committed or
 * failed, or at once when out of memory. Can't fail otherwise. */
void db_open_submit(struct db_open *o, const char *token, const struct visitor *v,
		    const char *view_id, struct db_wake wake);

/* After the wake: DB_OK with *@state, and for DB_OPEN_SERVED the target
 * in *@t (clear it with db_target_clear) and, for an open submitted with
 * a view id, what its page shows in *@viewer (NULL: not wanted); else the
 * failure (the open was not recorded: DB_UNAVAILABLE, DB_FULL, DB_ERROR). */
enum db_status db_open_outcome(const struct db_open *o, enum db_open_state *state,
			       struct db_target *t, struct db_viewer *viewer);

/* Frees what @o holds. */
void db_open_clear(struct db_open *o);

#endif
