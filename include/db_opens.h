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

/* One open, from its submission to its outcome: the caller keeps it
 * until it has read the outcome. Its fields are opens.c's. */
struct db_open {
	enum db_status status;
	char *answer; /* open_links()'s */
	struct db_wake wake;
};

/* Queues the open of the tracked link @token (already shaped like one)
 * by @v; @wake runs once it is committed or failed, or at once when out
 * of memory. Can't fail otherwise. */
void db_open_submit(struct db_open *o, const char *token, const struct visitor *v,
		    struct db_wake wake);

/* After the wake: DB_OK with *@state, and for DB_OPEN_SERVED the target
 * in *@t (clear it with db_target_clear); else the failure (the open was
 * not recorded: DB_UNAVAILABLE, DB_ERROR). */
enum db_status db_open_outcome(const struct db_open *o, enum db_open_state *state,
			       struct db_target *t);

/* Frees what @o holds. */
void db_open_clear(struct db_open *o);

#endif
