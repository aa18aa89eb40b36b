/* The next-stage test, version 2 (README, Analytics: "The next-stage
 * test"): for each asset and stage, did the deals that got the asset in
 * that stage move on more often than the other deals in that stage at the
 * same moment (and, in a crowded stage, at the same point of their stay)
 * that had not been given it? Pure counting over spells, exposures and the
 * deals' first shares; server/db/stagedata.c loads them, stats.h judges
 * the counts. Times are microseconds since 2000-01-01 00:00 UTC (the
 * banding's days start at midnight UTC). */
#ifndef NS_STAGETEST_H
#define NS_STAGETEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "stats.h"

#define ST_OPEN INT64_MAX /* the left time of a spell not left yet */

#define ST_USEC_PER_DAY ((int64_t)86400 * 1000000)
#define ST_CROWD	40 /* a stage whose median daily open spells reach this is crowded */
#define ST_BANDS	4  /* time-in-stage bands: [0,14), [14,30), [30,60), [60,∞) days */

/* One visit of deal @deal (a number ≥ 0) to a stage: entered at @e, left
 * at @l (ST_OPEN if still there); @adv when it was left for a later stage
 * that is not a lost outcome. */
struct st_spell {
	int stage, deal;
	int64_t e, l;
	bool adv;
};

/* The first share of asset @asset at time @t during one spell. */
struct st_exposure {
	int asset;
	struct st_spell spell;
	int64_t t;
};

/* A time @at when asset @asset was shared to deal @deal, whatever stage
 * the deal was in then (also before its first stage); a pair may come
 * several times, its first time is what counts. */
struct st_given {
	int asset, deal;
	int64_t at;
};

/* An asset and a stage as the test sees them. */
struct st_asset {
	char id[37];
	unsigned char key[16]; /* the id's bytes */
	char *title;
	bool shared; /* has at least one share */
	int *tagged; /* positions of its stages without outcome (malloc'd) */
	int ntagged;
};

struct st_stage {
	char slug[65];
	char *name;
	int position;
	bool outcome; /* won or lost: never a tested stage */
	bool lost;
};

/* Everything one run of the test reads, from one snapshot
 * (db_stage_data in db_stagedata.h loads it). Assets are numbered by
 * their index in @assets, stages by position, deals from 0. */
struct st_data {
	struct st_asset *assets;
	size_t nassets;
	struct st_stage *stages;
	size_t nstages;
	struct st_spell *spells;
	size_t nspells;
	struct st_exposure *exps;
	size_t nexps;
	struct st_given *given;
	size_t ngiven;
	int64_t now;
};

/* The counts of one asset and stage (rules 2 to 4 and 8). */
struct st_row {
	int asset, stage;
	long n;		    /* kept exposures (complete window, with controls) */
	long no_controls;   /* complete-window exposures left out: no control */
	long pending;	    /* exposures whose window is not over */
	long observed;	    /* O */
	double expected;    /* E = Σ p */
	double variance;    /* V = b (1 - b) Σ 1/m, b = E / n; 0 when n = 0 */
	double median_days; /* of l - t over the kept exposures that advanced; NAN when none */
	bool banded;	    /* the stage is crowded */
};

/* What st_run found: @rows, one per (asset, stage) present in the
 * exposures, ordered by asset then stage; @crowded, the stages (ascending)
 * that are crowded, among those with spells. */
struct st_result {
	struct st_row *rows;
	size_t nrows;
	int *crowded;
	size_t ncrowded;
};

/* Runs the test with window @window (> 0 µs) at d->now over d->spells,
 * d->exps (reordered) and d->given, which must all be of the same deals
 * (those in scope). Fills @out (free it with st_result_free, also after a
 * failure). Returns false when out of memory. */
bool st_run(struct st_data *d, int64_t window, struct st_result *out);
void st_result_free(struct st_result *out);

/* Whether @stage is among the crowded stages of @r. */
bool st_crowded(const struct st_result *r, int stage);

/* A row judged (rules 5 to 7): its lift, interval and p-value, its
 * q-value (NAN outside the family) and its verdict. */
struct st_judgement {
	struct stats_lift lift;
	double q_value;
	enum stats_verdict verdict;
};

/* Judges the @n rows @rows (all of one run: they are the family of rule
 * 6, its members those with n ≥ @min_sample) into @out (@n). Every row
 * has exposures, so its asset was shared: no verdict is "unused". False
 * when out of memory. */
bool st_judge(const struct st_row *rows, size_t n, long min_sample, struct st_judgement *out);

#endif
