/* GET /analytics/stage-test as rows: loads the data, runs the test,
 * completes it with the assets' untested stages and unused assets, and
 * judges each row. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "analytics.h"
#include "db_stagedata.h"
#include "log.h"

#define USEC_PER_DAY 86400000000LL

const char *const an_stage_columns[] = {"asset_id",
					"title",
					"stage",
					"exposures",
					"no_controls",
					"advanced",
					"advance_rate",
					"expected",
					"baseline_rate",
					"lift",
					"ci_low",
					"ci_high",
					"verdict",
					"median_days_to_advance",
					NULL};

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

/* A number, or null when it is not finite (an empty sample, E = 0). */
static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *make_row(const struct st_asset *a, const char *stage, const struct st_row *r,
			long min_sample)
{
	static const struct st_row none = {.median_days = NAN, .lift = {NAN, 0, INFINITY}};
	if (r == NULL)
		r = &none;
	double n = (double)r->exposures;
	enum stats_verdict v = stats_verdict_of(a->shared, r->exposures, min_sample, &r->lift);
	return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:f, s:o, s:o, s:o, s:o, s:s, s:o}",
			 "asset_id", a->id, "title", a->title ? a->title : "", "stage",
			 stage ? json_string(stage) : json_null(), "exposures",
			 (json_int_t)r->exposures, "no_controls", (json_int_t)r->no_controls,
			 "advanced", (json_int_t)r->advanced, "advance_rate", real(r->advanced / n),
			 "expected", r->expected, "baseline_rate", real(r->expected / n), "lift",
			 real(r->lift.lift), "ci_low", real(r->lift.ci_low), "ci_high",
			 real(r->lift.ci_high), "verdict", stats_verdict_name(v),
			 "median_days_to_advance", real(r->median_days));
}

/* Orders indices of the assets of the st_data @d by title, then id. */
static int by_title(const void *x, const void *y, void *d)
{
	const struct st_asset *assets = ((const struct st_data *)d)->assets;
	const struct st_asset *a = &assets[*(const size_t *)x], *b = &assets[*(const size_t *)y];
	int c = strcmp(a->title ? a->title : "", b->title ? b->title : "");
	return c ? c : strcmp(a->id, b->id);
}

static bool tagged(const struct st_asset *a, int position)
{
	for (int i = 0; i < a->ntagged; i++)
		if (a->tagged[i] == position)
			return true;
	return false;
}

/* The rows of asset @a: @rows (@n) are its test results, by stage. */
static void add_asset(json_t *out, const struct st_data *d, const struct st_asset *a,
		      const struct st_row *rows, size_t n, const struct an_stage_params *p)
{
	int only = 0; /* the position of the stage filter */
	for (size_t i = 0; p->stage && i < d->nstages; i++)
		if (strcmp(d->stages[i].slug, p->stage) == 0)
			only = d->stages[i].position;
	if (!a->shared) {
		if (!only || tagged(a, only))
			json_array_append_new(out, make_row(a, NULL, NULL, p->min_sample));
		return;
	}
	size_t before = json_array_size(out);
	for (size_t s = 0; s < d->nstages; s++) {
		int pos = d->stages[s].position;
		if (d->stages[s].outcome || (only && pos != only))
			continue;
		const struct st_row *r = NULL;
		for (size_t i = 0; i < n; i++)
			if (rows[i].stage == pos)
				r = &rows[i];
		if (r != NULL || tagged(a, pos))
			json_array_append_new(out,
					      make_row(a, d->stages[s].slug, r, p->min_sample));
	}
	if (json_array_size(out) == before && !only)
		json_array_append_new(out, make_row(a, NULL, NULL, p->min_sample));
}

/* The report rows of @rows (by asset, then stage) over @d. */
static json_t *report(struct st_data *d, const struct st_row *rows, size_t nrows,
		      const struct an_stage_params *p)
{
	size_t *order = malloc((d->nassets + 1) * sizeof *order);
	size_t *first = malloc((d->nassets + 1) * sizeof *first); /* its first row */
	json_t *out = json_array();
	if (order == NULL || first == NULL || out == NULL) {
		free(order);
		free(first);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < d->nassets; i++)
		order[i] = i;
	qsort_r(order, d->nassets, sizeof *order, by_title, d);
	for (size_t i = 0, r = 0; i <= d->nassets; i++) {
		first[i] = r;
		while (r < nrows && rows[r].asset == (int)i)
			r++;
	}
	for (size_t k = 0; k < d->nassets; k++) {
		size_t i = order[k];
		add_asset(out, d, &d->assets[i], rows + first[i], first[i + 1] - first[i], p);
	}
	free(order);
	free(first);
	return out;
}

/* Stores the verdicts of a default run: the rows with a stage. */
static void save_verdicts(json_t *rows)
{
	json_t *v = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (json_is_null(json_object_get(row, "stage")))
			continue;
		json_array_append_new(v, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
						   "asset_id", json_object_get(row, "asset_id"),
						   "stage", json_object_get(row, "stage"),
						   "exposures", json_object_get(row, "exposures"),
						   "advanced", json_object_get(row, "advanced"),
						   "lift", json_object_get(row, "lift"), "ci_low",
						   json_object_get(row, "ci_low"), "ci_high",
						   json_object_get(row, "ci_high"), "verdict",
						   json_object_get(row, "verdict")));
	}
	char *text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (text == NULL || db_stage_verdicts_save(text) != DB_OK)
		log_msg("warn", "stage test: the verdicts were not stored");
	free(text);
}

json_t *an_stage_test(const struct an_stage_params *p, struct db_fault *fault, enum db_status *s)
{
	struct st_data d;
	struct st_row *rows = NULL;
	size_t nrows = 0;
	json_t *out = NULL;
	pthread_mutex_lock(&run_lock);
	*s = db_stage_data(p->asset, p->stage, p->persona, fault, &d);
	if (*s == DB_OK && st_run(d.spells, d.nspells, d.exps, d.nexps, d.now,
				  (int64_t)p->window_days * USEC_PER_DAY, &rows, &nrows))
		out = report(&d, rows, nrows, p);
	if (*s == DB_OK && out == NULL)
		*s = DB_ERROR;
	bool defaults = p->window_days == AN_WINDOW_DAYS && p->min_sample == AN_MIN_SAMPLE &&
			!p->asset && !p->stage && !p->persona;
	if (out != NULL && defaults)
		save_verdicts(out);
	free(rows);
	db_stage_data_free(&d);
	pthread_mutex_unlock(&run_lock);
	return out;
}
