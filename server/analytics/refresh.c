/* The analytics thread: folds new shares and opens into the rollups every
 * couple of seconds, and re-runs the default next-stage test now and then
 * so that the stored verdicts (search by lift, unused, coverage,
 * recommendations) stay current. */
#include <time.h>
#include "analytics.h"
#include "db_dashboards.h"
#include "log.h"
#include "periodic.h"

#define FOLD_EVERY_S	 2
#define VERDICTS_EVERY_S 600

/* One run: the fold, and the verdicts when they are due (sooner again
 * after a failure). */
static unsigned refresh(void)
{
	static time_t verdicts_due;
	if (db_analytics_fold() != DB_OK)
		log_msg("warn", "analytics: the usage rollups were not folded");
	if (time(NULL) >= verdicts_due) {
		struct an_stage_params p = {AN_WINDOW_DAYS, AN_MIN_SAMPLE, NULL, NULL, NULL};
		struct db_fault f;
		enum db_status s;
		json_decref(an_stage_test(&p, &f, &s));
		verdicts_due = time(NULL) + (s == DB_OK ? VERDICTS_EVERY_S : FOLD_EVERY_S * 5);
	}
	return FOLD_EVERY_S;
}

static struct periodic thread = {.task = refresh, .done = db_thread_done};

int an_refresh_start(void)
{
	return periodic_start(&thread);
}

void an_refresh_stop(void)
{
	periodic_stop(&thread);
}
