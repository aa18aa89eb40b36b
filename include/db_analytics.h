/* What analytics read (schema/0012): the next-stage test's spells and
 * exposures, the stored verdicts, and the dashboards' rollups. Reads go to
 * NEXTSTAGE_READ_DATABASE_URL when it is set. */
#ifndef NS_DB_ANALYTICS_H
#define NS_DB_ANALYTICS_H
#include "db.h"
#include "stagetest.h"

#define ST_MAX_STAGES 64

struct st_asset {
	char id[37];
	unsigned char key[16]; /* the id's bytes */
	char *title;
	bool shared;		   /* has at least one share */
	int tagged[ST_MAX_STAGES]; /* positions of its stages without outcome */
	int ntagged;
};

struct st_stage {
	char slug[65];
	int position;
	bool outcome; /* won or lost: never a tested stage */
	bool lost;
};

/* Everything one run of the test reads, from one snapshot. Assets are
 * numbered by their index in @assets (st_exposure.asset); stages by
 * position. Times are microseconds since 2000-01-01 UTC. */
struct st_data {
	struct st_asset *assets;
	size_t nassets;
	struct st_stage *stages;
	size_t nstages;
	struct st_spell *spells;
	size_t nspells;
	struct st_exposure *exps;
	size_t nexps;
	int64_t now;
};

/* Loads the test's data: all assets (or only @asset), every spell of a
 * stage without outcome (or of @stage only) of the deals in scope (those
 * whose personas include @persona, or all), and their exposures. NULL or
 * "" means no filter; a filter naming nothing is DB_INVALID with @fault.
 * Fills @out (free it with db_stage_data_free, also after a failure). */
enum db_status db_stage_data(const char *asset, const char *stage, const char *persona,
			     struct db_fault *fault, struct st_data *out);
void db_stage_data_free(struct st_data *d);

/* Replaces the stored verdicts with @rows, a JSON array of {asset_id,
 * stage, exposures, advanced, lift, ci_low, ci_high, verdict}. */
enum db_status db_stage_verdicts_save(const char *rows);

/* The dashboards, as the API's JSON in *@json (malloc'd). */
/* Published assets flagged unused (DESIGN.md's reasons) and a summary. */
enum db_status db_unused(int days, int grace_days, char **json);
/* Every persona x stage cell, and the frequent recent zero-result searches. */
enum db_status db_coverage(char **json);
/* Usage between the days @from and @to (YYYY-MM-DD, inclusive) per @group
 * ("day", "week" or "month"). */
enum db_status db_usage(const char *from, const char *to, const char *group, char **json);

/* The assets that may be recommended for deal @deal (owned by
 * @owner_only when not NULL; else DB_NOT_FOUND): {"stage", "stage_name",
 * "candidates": [{kind (1 proven, 2 untested, 3 other, 4 hurts), lift,
 * exposures, recent_shares (90 days), asset}]}, ordered by kind, then
 * best first. */
enum db_status db_deal_candidates(const char *deal, const char *owner_only, char **json);

/* Folds the shares and opens that are safe to fold into the usage rollups
 * (analytics_fold() in schema/0012). */
enum db_status db_analytics_fold(void);

#endif
