/* The next-stage test (README, Analytics: "The next-stage test"): for each asset
 * and stage, did the deals that got the asset in that stage advance more
 * often than the other deals in that stage at the same time? Pure
 * computation over spells and exposures; server/db/stagedata.c loads them.
 * Times are microseconds on any common epoch. */
#ifndef NS_STAGETEST_H
#define NS_STAGETEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "stats.h"

#define ST_OPEN INT64_MAX /* the left time of a spell not left yet */

/* One visit of a deal to a stage: entered at @e, left at @l (ST_OPEN if
 * still there); @adv when it was left for a later stage that is not a lost
 * outcome. */
struct st_spell {
	int stage;
	int64_t e, l;
	bool adv;
};

/* The first share of asset @asset at time @t during one spell (its stage,
 * e, l, adv). */
struct st_exposure {
	int asset;
	struct st_spell spell;
	int64_t t;
};

/* An asset and a stage as the test sees them, and its whole input. */
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

/* Everything one run of the test reads, from one snapshot
 * (db_stage_data in db_stagedata.h loads it). Assets are
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

/* The result for one asset and stage. */
struct st_row {
	int asset, stage;
	long exposures;	    /* n: kept exposures (complete window, with controls) */
	long no_controls;   /* complete-window exposures left out: no control */
	long advanced;	    /* O */
	double expected;    /* E */
	double median_days; /* among advanced exposures; NAN when none */
	struct stats_lift lift;
};

/* Runs the test with window @window (> 0, same unit as times) at time @now over
 * all @spells (of the deals in scope) and @exps (the exposures of the same
 * deals; reordered). Sets *@rows to a new array (the caller frees it) of
 * *@nrows rows, one per (asset, stage) present in @exps, ordered by asset
 * then stage. Returns false when out of memory (*@rows then holds the rows
 * made so far). */
bool st_run(const struct st_spell *spells, size_t nspells, struct st_exposure *exps, size_t nexps,
	    int64_t now, int64_t window, struct st_row **rows, size_t *nrows);

#endif
