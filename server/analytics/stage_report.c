/* GET /analytics/stage-test as rows: loads the data, runs and judges the
 * test over every asset (the q-values are over the whole family whatever
 * the filters), completes it with the assets' untested stages and unused
 * assets, stores the verdicts of a default run, and answers the rows the
 * filters keep. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "analytics.h"
#include "db_stagedata.h"
#include "log.h"
#include "stage_words.h"

const char *const an_stage_columns[] = {"asset_id",
					"title",
					"stage",
					"n",
					"no_controls",
					"observed",
					"expected",
					"advance_rate",
					"baseline_rate",
					"lift",
					"ci_low",
					"ci_high",
					"p_value",
					"q_value",
					"verdict",
					"banded",
					"median_days_to_advance",
					"pending",
					"summary",
					NULL};

const char an_stage_caveat[] = SW_CAVEAT;

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

/* One row of the report: an asset, a stage (NULL: the asset's only row,
 * without stage), its counts and judgement (NULL: no exposure), and
 * whether the stage is crowded (with or without exposures). */
struct line {
	const struct st_asset *a;
	const struct st_stage *stage;
	const struct st_row *row;
	const struct st_judgement *j;
	bool banded;
};

/* What a run found, and the report's lines in order. */
struct report {
	struct st_data d;
	struct st_result res;
	struct st_judgement *j;
	struct line *lines;
	size_t nlines;
};

/* A line's values, filled in for every kind of line. */
struct values {
	struct st_row r;
	struct stats_lift l;
	double q;
	enum stats_verdict v;
	char summary[512];
	bool has_summary;
};

static void values_of(const struct line *x, int window_days, long min_sample, struct values *o)
{
	static const struct st_row none = {.median_days = NAN};
	o->r = x->row ? *x->row : none;
	o->r.banded = x->banded;
	if (x->j) {
		o->l = x->j->lift;
		o->q = x->j->q_value;
		o->v = x->j->verdict;
	} else {
		stats_lift_of(0, 0, 0, 0, &o->l);
		o->q = NAN;
		o->v = stats_verdict_of(x->a->shared, 0, min_sample, 0, 0, NAN, &o->l);
	}
	o->has_summary = x->stage && o->r.n >= min_sample;
	if (o->has_summary)
		sw_summary(o->summary, sizeof o->summary, o->r.n, o->r.observed, o->r.expected,
			   &o->l, x->stage->name ? x->stage->name : x->stage->slug, window_days);
}

/* A number, or null when it is not finite (an empty sample, E = 0). */
static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *make_row(const struct line *x, const struct an_stage_params *p)
{
	struct values o;
	values_of(x, p->window_days, p->min_sample, &o);
	double n = (double)o.r.n;
	json_t *row = json_pack(
	    "{s:s, s:s, s:o, s:I, s:I, s:I, s:f, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o,"
	    " s:I, s:o}",
	    "asset_id", x->a->id, "title", x->a->title ? x->a->title : "", "stage",
	    x->stage ? json_string(x->stage->slug) : json_null(), "n", (json_int_t)o.r.n,
	    "no_controls", (json_int_t)o.r.no_controls, "observed", (json_int_t)o.r.observed,
	    "expected", o.r.expected, "advance_rate", real((double)o.r.observed / n),
	    "baseline_rate", real(o.r.expected / n), "lift", real(o.l.lift), "ci_low",
	    real(o.l.ci_low), "ci_high", real(o.l.ci_high), "p_value", real(o.l.p_value), "q_value",
	    real(o.q), "verdict", stats_verdict_name(o.v), "banded",
	    x->stage ? json_boolean(o.r.banded) : json_null(), "median_days_to_advance",
	    real(o.r.median_days), "pending", (json_int_t)o.r.pending, "summary",
	    o.has_summary ? json_string(o.summary) : json_null());
	return row;
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

/* Appends the lines of asset @a, whose results are rows @first (@n, by
 * stage), to @r: one per tested stage (tagged or shared in, no outcome),
 * or a single line without stage. */
static void add_asset(struct report *r, const struct st_asset *a, size_t first, size_t n)
{
	size_t before = r->nlines;
	for (size_t s = 0; a->shared && s < r->d.nstages; s++) {
		const struct st_stage *st = &r->d.stages[s];
		if (st->outcome)
			continue;
		struct line x = {a, st, NULL, NULL, st_crowded(&r->res, st->position)};
		for (size_t i = first; i < first + n; i++)
			if (r->res.rows[i].stage == st->position) {
				x.row = &r->res.rows[i];
				x.j = &r->j[i];
			}
		if (x.row != NULL || tagged(a, st->position))
			r->lines[r->nlines++] = x;
	}
	if (r->nlines == before)
		r->lines[r->nlines++] = (struct line){a, NULL, NULL, NULL, false};
}

/* Judges the rows and lays out the lines of every asset. */
static bool lay_out(struct report *r, long min_sample)
{
	const struct st_data *d = &r->d;
	size_t *order = malloc((d->nassets + 1) * sizeof *order);
	size_t *first = malloc((d->nassets + 2) * sizeof *first); /* each asset's first row */
	r->j = malloc((r->res.nrows + 1) * sizeof *r->j);
	r->lines = malloc((d->nassets * (d->nstages + 1) + 1) * sizeof *r->lines);
	bool ok = order && first && r->j && r->lines &&
		  st_judge(r->res.rows, r->res.nrows, min_sample, r->j);
	for (size_t i = 0; ok && i < d->nassets; i++)
		order[i] = i;
	if (ok)
		qsort_r(order, d->nassets, sizeof *order, by_title, &r->d);
	for (size_t i = 0, k = 0; ok && i <= d->nassets; i++) {
		first[i] = k;
		while (k < r->res.nrows && r->res.rows[k].asset == (int)i)
			k++;
	}
	for (size_t k = 0; ok && k < d->nassets; k++) {
		size_t i = order[k];
		add_asset(r, &d->assets[i], first[i], first[i + 1] - first[i]);
	}
	free(order);
	free(first);
	return ok;
}

/* Whether the filters of @p keep line @x: ?asset= that asset's lines;
 * ?stage= that stage's lines and the unused lines of assets tagged with
 * it. */
static bool kept(const struct report *r, const struct line *x, const struct an_stage_params *p)
{
	if (p->asset && strcmp(x->a->id, p->asset) != 0)
		return false;
	if (!p->stage)
		return true;
	if (x->stage)
		return strcmp(x->stage->slug, p->stage) == 0;
	for (size_t s = 0; !x->a->shared && s < r->d.nstages; s++)
		if (strcmp(r->d.stages[s].slug, p->stage) == 0)
			return tagged(x->a, r->d.stages[s].position);
	return false;
}

/* Stores the verdicts of a default run: the lines with a stage. */
static void save_verdicts(const struct report *r, const struct an_stage_params *p)
{
	json_t *v = json_array();
	for (size_t i = 0; v && i < r->nlines; i++) {
		const struct line *x = &r->lines[i];
		if (x->stage == NULL)
			continue;
		struct values o;
		values_of(x, p->window_days, p->min_sample, &o);
		char words[800];
		sw_explanation(words, sizeof words, o.v, o.r.n, o.has_summary ? o.summary : NULL,
			       o.r.pending, p->window_days);
		json_array_append_new(
		    v,
		    json_pack("{s:s, s:s, s:I, s:I, s:f, s:o, s:o, s:o, s:o, s:o, s:s, s:b, s:I,"
			      " s:o, s:s}",
			      "asset_id", x->a->id, "stage", x->stage->slug, "n", (json_int_t)o.r.n,
			      "observed", (json_int_t)o.r.observed, "expected", o.r.expected,
			      "lift", real(o.l.lift), "ci_low", real(o.l.ci_low), "ci_high",
			      real(o.l.ci_high), "p_value", real(o.l.p_value), "q_value", real(o.q),
			      "verdict", stats_verdict_name(o.v), "banded", o.r.banded, "pending",
			      (json_int_t)o.r.pending, "summary",
			      o.has_summary ? json_string(o.summary) : json_null(), "explanation",
			      words));
	}
	char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
	json_decref(v);
	if (text == NULL || db_stage_verdicts_save(text) != DB_OK)
		log_msg("warn", "stage test: the verdicts were not stored");
	free(text);
}

json_t *an_stage_test(const struct an_stage_params *p, struct db_fault *fault, enum db_status *s)
{
	struct report r = {0};
	json_t *out = NULL;
	pthread_mutex_lock(&run_lock);
	*s = db_stage_data(p->asset, p->stage, p->persona, fault, &r.d);
	bool ok = *s == DB_OK && st_run(&r.d, (int64_t)p->window_days * ST_USEC_PER_DAY, &r.res) &&
		  lay_out(&r, p->min_sample) && (out = json_array()) != NULL;
	for (size_t i = 0; ok && i < r.nlines; i++)
		if (kept(&r, &r.lines[i], p))
			json_array_append_new(out, make_row(&r.lines[i], p));
	if (*s == DB_OK && !ok) {
		json_decref(out);
		out = NULL;
		*s = DB_ERROR;
	}
	if (out != NULL && p->window_days == AN_WINDOW_DAYS && p->min_sample == AN_MIN_SAMPLE &&
	    !p->persona)
		save_verdicts(&r, p);
	free(r.j);
	free(r.lines);
	st_result_free(&r.res);
	db_stage_data_free(&r.d);
	pthread_mutex_unlock(&run_lock);
	return out;
}
