/* Analytics as the API answers them (service layer, between the handlers
 * and the database): the next-stage test with its verdicts, and the
 * background work that keeps rollups and stored verdicts current. */
#ifndef NS_ANALYTICS_H
#define NS_ANALYTICS_H
#include <jansson.h>
#include "db.h"

#define AN_WINDOW_DAYS 30 /* defaults of GET /analytics/stage-test */
#define AN_MIN_SAMPLE  10

struct an_stage_params {
	int window_days, min_sample;
	const char *asset, *stage, *persona; /* NULL: no filter */
};

/* The column names of a stage-test row, in order (JSON keys, CSV header). */
extern const char *const an_stage_columns[];
/* What the answer says once beside its rows: an association, not proof. */
extern const char an_stage_caveat[];

/* Runs the next-stage test, version 2: one row per asset and tested stage
 * (the asset's stages without outcome and those it was shared in), assets
 * never shared once with verdict "unused"; ordered by title, then stage.
 * Every asset's rows are judged, whatever the asset and stage filters, so
 * that the q-values are over the whole family; the persona filter makes a
 * family of its own. A run with the default window and minimum and no
 * persona filter also replaces the stored verdicts. Returns a new array,
 * or NULL with the failure in *@s (DB_INVALID with @fault for a filter
 * naming no asset, stage or persona). One run at a time: others wait (each
 * holds its data set in memory). */
json_t *an_stage_test(const struct an_stage_params *p, struct db_fault *fault, enum db_status *s);

/* Up to @limit assets to share next on deal @deal (owned by @owner_only
 * when not NULL, else DB_NOT_FOUND), ranked (see recommend.c), each the
 * asset's JSON with "reason" and "lift". A new array, or NULL with *@s. */
json_t *an_recommend(const char *deal, const char *owner_only, int limit, enum db_status *s);

/* Starts the thread that folds events into the rollups every 2 s and
 * re-runs the default test every 10 min (and once at start). 0 or -1. */
int an_refresh_start(void);
void an_refresh_stop(void);

#endif
