/* The next-stage test over spells, exposures and first shares in memory.
 *
 * An exposure at t in stage s, band b (in a crowded stage; else the whole
 * stay) has as controls the spells of s open at t in band b, less those
 * whose deal had been given the asset at or before t (its own among them).
 * Both are counts of time intervals holding t (stage_sets.h): the first
 * over every spell of s, answered for all exposures of s in one sweep by
 * time; the second over the spells of the asset's own deals, each cut to
 * start at the deal's first share, per asset and stage. So each spell is
 * sorted once per band it reaches and each (asset, deal) pair once per
 * spell of its deal: O(n log n) in all, no exposure ever compared with a
 * spell. */
#include "stagetest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stage_sets.h"
#include "stats.h"

static int cmp_spell(const void *a, const void *b)
{
	const struct st_spell *x = a, *y = b;
	if (x->stage != y->stage)
		return (x->stage > y->stage) - (x->stage < y->stage);
	return (x->e > y->e) - (x->e < y->e);
}

static void spell_key(const void *item, int *stage, int64_t *t)
{
	const struct st_spell *sp = item;
	*stage = sp->stage;
	*t = sp->e;
}

/* A count to make for the exposure @x (index into exps). */
struct query {
	int stage;
	int64_t t;
	size_t x;
};

static int cmp_query(const void *a, const void *b)
{
	const struct query *x = a, *y = b;
	if (x->stage != y->stage)
		return (x->stage > y->stage) - (x->stage < y->stage);
	return (x->t > y->t) - (x->t < y->t);
}

static void query_key(const void *item, int *stage, int64_t *t)
{
	const struct query *q = item;
	*stage = q->stage;
	*t = q->t;
}

static int cmp_exposure(const void *a, const void *b)
{
	const struct st_exposure *x = a, *y = b;
	if (x->spell.stage != y->spell.stage)
		return (x->spell.stage > y->spell.stage) - (x->spell.stage < y->spell.stage);
	return (x->t > y->t) - (x->t < y->t);
}

/* Orders @exps by asset, stage and time: a counting sort by asset (dense
 * small numbers), then a sort of each asset's own. */
static bool sort_exposures(struct st_exposure *exps, size_t n)
{
	int top = 0;
	for (size_t i = 0; i < n; i++)
		top = exps[i].asset > top ? exps[i].asset : top;
	size_t *start = calloc((size_t)top + 2, sizeof *start);
	struct st_exposure *out = malloc((n + 1) * sizeof *out);
	bool ok = start && out;
	for (size_t i = 0; ok && i < n; i++)
		start[exps[i].asset + 1]++;
	for (int a = 0; ok && a <= top; a++)
		start[a + 1] += start[a];
	for (size_t i = 0; ok && i < n; i++)
		out[start[exps[i].asset]++] = exps[i];
	for (size_t i = 0, j; ok && i < n; i = j) {
		for (j = i; j < n && out[j].asset == out[i].asset; j++)
			;
		qsort(out + i, j - i, sizeof *out, cmp_exposure);
	}
	if (ok && n > 0)
		memcpy(exps, out, n * sizeof *exps);
	free(start);
	free(out);
	return ok;
}

bool st_crowded(const struct st_result *r, int stage)
{
	size_t lo = 0, hi = r->ncrowded;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->crowded[mid] < stage)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->ncrowded && r->crowded[lo] == stage;
}

/* Per band, the stays open in it and those advancing within the window. */
struct band_sets {
	struct ss_set open[ST_BANDS], adv[ST_BANDS];
};

static bool seal_bands(struct band_sets *s)
{
	bool ok = true;
	for (int b = 0; b < ST_BANDS; b++) {
		bool open = ss_seal(&s->open[b]), adv = ss_seal(&s->adv[b]);
		ok = ok && open && adv;
	}
	return ok;
}

static void free_bands(struct band_sets *s)
{
	for (int b = 0; b < ST_BANDS; b++) {
		ss_free(&s->open[b]);
		ss_free(&s->adv[b]);
	}
}

/* The control counts before exclusion, per exposure with a complete
 * window: all spells of its stage open at t in its band (@open) and those
 * of them advancing within (t, t + W] (@adv); its band into @band. */
struct counts {
	long *open, *adv;
	unsigned char *band;
};

/* Fills out->crowded from @sp (sorted by stage, then entry). */
static bool find_crowded(const struct st_spell *sp, size_t n, int64_t last, struct st_result *out)
{
	bool ok = true;
	out->crowded = malloc((n + 1) * sizeof *out->crowded);
	if (out->crowded == NULL)
		return false;
	for (size_t i = 0, j; ok && i < n; i = j) {
		for (j = i; j < n && sp[j].stage == sp[i].stage; j++)
			;
		if (ss_crowded(sp + i, j - i, last, &ok))
			out->crowded[out->ncrowded++] = sp[i].stage;
	}
	return ok;
}

/* Answers the queries @q (@nq, one stage, by time) over that stage's
 * spells @sp (@ns). */
static bool count_stage(const struct st_spell *sp, size_t ns, const struct query *q, size_t nq,
			const struct st_exposure *exps, bool banded, int64_t window,
			struct counts *c)
{
	struct band_sets all = {0};
	for (size_t i = 0; i < ns; i++)
		for (int b = 0; b < (banded ? ST_BANDS : 1); b++)
			ss_add_spell(&all.open[b], &all.adv[b], &sp[i], b, banded, INT64_MIN,
				     window);
	bool ok = seal_bands(&all);
	for (size_t i = 0; ok && i < nq; i++) {
		size_t x = q[i].x;
		int b = banded ? ss_band(q[i].t - exps[x].spell.e) : 0;
		c->band[x] = (unsigned char)b;
		c->open[x] = ss_count(&all.open[b], q[i].t);
		c->adv[x] = ss_count(&all.adv[b], q[i].t);
	}
	free_bands(&all);
	return ok;
}

/* The counts before exclusion of every exposure with a complete window,
 * stage by stage; and the crowded stages. */
static bool count_all(struct st_data *d, int64_t window, struct st_spell *sp, struct counts *c,
		      struct st_result *out)
{
	struct query *q = malloc((d->nexps + 1) * sizeof *q);
	if (q == NULL)
		return false;
	size_t nq = 0;
	for (size_t i = 0; i < d->nexps; i++)
		if (d->exps[i].t <= d->now - window)
			q[nq++] = (struct query){d->exps[i].spell.stage, d->exps[i].t, i};
	bool ok = ss_sort_by_stage_time(q, nq, sizeof *q, query_key, cmp_query) &&
		  ss_sort_by_stage_time(sp, d->nspells, sizeof *sp, spell_key, cmp_spell) &&
		  find_crowded(sp, d->nspells, d->now - window, out);
	size_t s = 0;
	for (size_t i = 0, j; ok && i < nq; i = j) {
		for (j = i; j < nq && q[j].stage == q[i].stage; j++)
			;
		while (s < d->nspells && sp[s].stage < q[i].stage)
			s++;
		size_t e = s;
		while (e < d->nspells && sp[e].stage == q[i].stage)
			e++;
		ok = count_stage(sp + s, e - s, q + i, j - i, d->exps,
				 st_crowded(out, q[i].stage), window, c);
	}
	free(q);
	return ok;
}

/* Items grouped by a number: item k of group g is at[start[g] + k]. */
struct groups {
	size_t *start;
	size_t n;
};

/* Groups the spells by deal (copies into *@by) and the first shares by
 * asset (indices into *@given). */
static bool group_inputs(const struct st_data *d, struct st_spell **by, struct groups *deals,
			 size_t **given, struct groups *assets)
{
	int top_deal = -1, top_asset = -1;
	for (size_t i = 0; i < d->nspells; i++)
		top_deal = d->spells[i].deal > top_deal ? d->spells[i].deal : top_deal;
	for (size_t i = 0; i < d->nexps; i++)
		top_asset = d->exps[i].asset > top_asset ? d->exps[i].asset : top_asset;
	deals->n = (size_t)(top_deal + 1);
	assets->n = (size_t)(top_asset + 1);
	deals->start = calloc(deals->n + 2, sizeof *deals->start);
	assets->start = calloc(assets->n + 2, sizeof *assets->start);
	*by = malloc((d->nspells + 1) * sizeof **by);
	*given = malloc((d->ngiven + 1) * sizeof **given);
	if (!deals->start || !assets->start || !*by || !*given)
		return false;
	for (size_t i = 0; i < d->nspells; i++)
		deals->start[d->spells[i].deal + 2]++;
	for (size_t g = 0; g < deals->n; g++)
		deals->start[g + 2] += deals->start[g + 1];
	for (size_t i = 0; i < d->nspells; i++)
		(*by)[deals->start[d->spells[i].deal + 1]++] = d->spells[i];
	for (size_t i = 0; i < d->ngiven; i++)
		if (d->given[i].asset >= 0 && (size_t)d->given[i].asset < assets->n)
			assets->start[d->given[i].asset + 2]++;
	for (size_t g = 0; g < assets->n; g++)
		assets->start[g + 2] += assets->start[g + 1];
	for (size_t i = 0; i < d->ngiven; i++)
		if (d->given[i].asset >= 0 && (size_t)d->given[i].asset < assets->n)
			(*given)[assets->start[d->given[i].asset + 1]++] = i;
	return true;
}

/* The row of one asset and stage: its exposures @g (@n, by time) with
 * their counts @c (indexed like @g) less those of @excl. */
static void fill_row(const struct st_exposure *g, size_t n, const struct counts *c,
		     struct band_sets *excl, int64_t now, int64_t window, double *days,
		     struct st_row *row)
{
	size_t ndays = 0;
	double inv_m = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t t = g[i].t;
		if (t > now - window) {
			row->pending++;
			continue;
		}
		int b = c->band[i];
		long m = c->open[i] - ss_count(&excl->open[b], t);
		long a = c->adv[i] - ss_count(&excl->adv[b], t);
		if (m <= 0) {
			row->no_controls++;
			continue;
		}
		row->n++;
		row->expected += (double)a / (double)m;
		inv_m += 1.0 / (double)m;
		const struct st_spell *mine = &g[i].spell;
		if (mine->adv && mine->l != ST_OPEN && t < mine->l && mine->l <= t + window) {
			row->observed++;
			days[ndays++] = (double)(mine->l - t) / (double)ST_USEC_PER_DAY;
		}
	}
	double b = row->n > 0 ? row->expected / (double)row->n : 0;
	row->variance = b * (1 - b) * inv_m;
	row->median_days = stats_median(days, ndays);
}

/* The index among @stages (@n, ascending) of @stage, or -1. */
static int find_stage(const int *stages, int n, int stage)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (stages[mid] < stage)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && stages[lo] == stage ? lo : -1;
}

/* The inputs of one asset's rows. */
struct asset_run {
	const struct st_data *d;
	int64_t window;
	const struct st_spell *by_deal;
	const struct groups *deals;
	const size_t *given; /* this asset's shares to deals (indices into d->given) */
	size_t ngiven;
	int64_t *first;	 /* per deal, INT64_MAX between assets */
	int *touched;	 /* scratch: the deals of this asset */
	double *days;	 /* scratch of nexps */
};

/* The asset's deals and when each first got it: into r->touched (their
 * number returned) and r->first[deal]. */
static size_t first_shares(const struct asset_run *r)
{
	size_t n = 0;
	for (size_t k = 0; k < r->ngiven; k++) {
		const struct st_given *gv = &r->d->given[r->given[k]];
		if (gv->deal < 0 || (size_t)gv->deal >= r->deals->n)
			continue; /* a deal without spells: never a control */
		if (r->first[gv->deal] == INT64_MAX)
			r->touched[n++] = gv->deal;
		if (gv->at < r->first[gv->deal])
			r->first[gv->deal] = gv->at;
	}
	return n;
}

/* The rows of one asset, whose exposures are @x (@n, by stage then time),
 * appended to out->rows. Its deals' spells of its stages, cut at their
 * first share, are the spells to take off. */
static bool run_asset(const struct asset_run *r, const struct st_exposure *x, size_t n,
		      const struct counts *c, struct st_result *out)
{
	int nstages = 0, *stages = malloc((n + 1) * sizeof *stages);
	for (size_t i = 0; stages && i < n; i++)
		if (i == 0 || x[i].spell.stage != x[i - 1].spell.stage)
			stages[nstages++] = x[i].spell.stage;
	struct band_sets *excl = calloc((size_t)nstages + 1, sizeof *excl);
	bool *banded = calloc((size_t)nstages + 1, sizeof *banded);
	bool ok = stages && excl && banded;
	for (int s = 0; ok && s < nstages; s++)
		banded[s] = st_crowded(out, stages[s]);
	size_t ndeals = first_shares(r);
	for (size_t k = 0; k < ndeals; k++) {
		int deal = r->touched[k];
		int64_t at = r->first[deal];
		r->first[deal] = INT64_MAX;
		for (size_t i = r->deals->start[deal]; ok && i < r->deals->start[deal + 1]; i++) {
			const struct st_spell *sp = &r->by_deal[i];
			int s = sp->l > at ? find_stage(stages, nstages, sp->stage) : -1;
			for (int b = 0; s >= 0 && b < (banded[s] ? ST_BANDS : 1); b++)
				ss_add_spell(&excl[s].open[b], &excl[s].adv[b], sp, b, banded[s],
					     at, r->window);
		}
	}
	for (int s = 0; ok && s < nstages; s++)
		ok = seal_bands(&excl[s]);
	size_t i = 0;
	for (int s = 0; ok && s < nstages; s++) {
		size_t j = i;
		while (j < n && x[j].spell.stage == stages[s])
			j++;
		struct st_row *row = &out->rows[out->nrows++];
		*row = (struct st_row){.asset = x[i].asset, .stage = stages[s], .banded = banded[s]};
		struct counts part = {c->open + i, c->adv + i, c->band + i};
		fill_row(x + i, j - i, &part, &excl[s], r->d->now, r->window, r->days, row);
		i = j;
	}
	for (int s = 0; excl && s < nstages; s++)
		free_bands(&excl[s]);
	free(excl);
	free(banded);
	free(stages);
	return ok;
}

bool st_run(struct st_data *d, int64_t window, struct st_result *out)
{
	memset(out, 0, sizeof *out);
	struct st_spell *sp = malloc((d->nspells + 1) * sizeof *sp), *by_deal = NULL;
	struct counts c = {calloc(d->nexps + 1, sizeof *c.open), calloc(d->nexps + 1, sizeof *c.adv),
			   calloc(d->nexps + 1, 1)};
	struct groups deals = {0}, assets = {0};
	size_t *given = NULL;
	out->rows = malloc((d->nexps + 1) * sizeof *out->rows);
	struct asset_run r = {.d = d, .window = window};
	bool ok = sp && c.open && c.adv && c.band && out->rows && sort_exposures(d->exps, d->nexps);
	if (ok && d->nspells > 0)
		memcpy(sp, d->spells, d->nspells * sizeof *sp);
	ok = ok && count_all(d, window, sp, &c, out) &&
	     group_inputs(d, &by_deal, &deals, &given, &assets);
	if (ok) {
		r.by_deal = by_deal;
		r.deals = &deals;
		r.first = malloc((deals.n + 1) * sizeof *r.first);
		r.touched = malloc((deals.n + 1) * sizeof *r.touched);
		r.days = malloc((d->nexps + 1) * sizeof *r.days);
		ok = r.first && r.touched && r.days;
	}
	for (size_t i = 0; ok && i < deals.n; i++)
		r.first[i] = INT64_MAX;
	for (size_t i = 0, j; ok && i < d->nexps; i = j) {
		for (j = i; j < d->nexps && d->exps[j].asset == d->exps[i].asset; j++)
			;
		int a = d->exps[i].asset;
		r.given = given + assets.start[a];
		r.ngiven = assets.start[a + 1] - assets.start[a];
		struct counts part = {c.open + i, c.adv + i, c.band + i};
		ok = run_asset(&r, d->exps + i, j - i, &part, out);
	}
	free(sp);
	free(by_deal);
	free(c.open);
	free(c.adv);
	free(c.band);
	free(deals.start);
	free(assets.start);
	free(given);
	free(r.first);
	free(r.touched);
	free(r.days);
	return ok;
}

void st_result_free(struct st_result *out)
{
	free(out->rows);
	free(out->crowded);
	memset(out, 0, sizeof *out);
}
