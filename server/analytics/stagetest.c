/* The next-stage test over spells, exposures and first shares in memory.
 *
 * An exposure at t in stage s, band b (in a crowded stage; else the whole
 * stay) has as controls the spells of s open at t in band b, less those
 * whose deal had been given the asset at or before t (its own among them).
 * Both are counts of time intervals holding t (stage_sets.h): the first
 * over every spell of s, for all exposures of s at once; the second over
 * the spells of the asset's own deals, each cut to start at the deal's
 * first share, per asset and stage. Exposures are sorted once, by stage
 * and time (then stably by asset), so the times asked about are sorted
 * runs; each spell costs two binary searches per band it reaches, and
 * each (asset, deal) pair the same per spell of its deal: O(n log n) in
 * all, no exposure ever compared with a spell. Stages, then assets, are
 * counted in two halves at once (two threads: the machines it serves on
 * have two cores or more). */
#include "stagetest.h"

#include <math.h>
#include <pthread.h>
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

static void exposure_key(const void *item, int *stage, int64_t *t)
{
	const struct st_exposure *x = item;
	*stage = x->spell.stage;
	*t = x->t;
}

static int cmp_exposure(const void *a, const void *b)
{
	const struct st_exposure *x = a, *y = b;
	if (x->spell.stage != y->spell.stage)
		return (x->spell.stage > y->spell.stage) - (x->spell.stage < y->spell.stage);
	return (x->t > y->t) - (x->t < y->t);
}

/* The control counts before exclusion, per exposure with a complete
 * window: all spells of its stage open at t in its band (@open) and those
 * of them advancing within (t, t + W] (@adv); its band into @band. */
struct counts {
	long *open, *adv;
	unsigned char *band;
};

/* Orders @exps by asset, stage and time, carrying @c along: by stage and
 * time already, a stable counting sort by asset (dense small numbers). */
static bool sort_by_asset(struct st_exposure *exps, size_t n, struct counts *c)
{
	int top = 0;
	for (size_t i = 0; i < n; i++)
		top = exps[i].asset > top ? exps[i].asset : top;
	size_t *start = calloc((size_t)top + 2, sizeof *start);
	struct st_exposure *out = malloc((n + 1) * sizeof *out);
	long *open = malloc((n + 1) * sizeof *open), *adv = malloc((n + 1) * sizeof *adv);
	unsigned char *band = malloc(n + 1);
	bool ok = start && out && open && adv && band;
	for (size_t i = 0; ok && i < n; i++)
		start[exps[i].asset + 1]++;
	for (int a = 0; ok && a <= top; a++)
		start[a + 1] += start[a];
	for (size_t i = 0; ok && i < n; i++) {
		size_t k = start[exps[i].asset]++;
		out[k] = exps[i];
		open[k] = c->open[i];
		adv[k] = c->adv[i];
		band[k] = c->band[i];
	}
	if (ok && n > 0) {
		memcpy(exps, out, n * sizeof *exps);
		memcpy(c->open, open, n * sizeof *open);
		memcpy(c->adv, adv, n * sizeof *adv);
		memcpy(c->band, band, n);
	}
	free(start);
	free(out);
	free(open);
	free(adv);
	free(band);
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

/* The counts before exclusion of the @nq exposures @x of one stage with a
 * complete window (by time; @t their times) over that stage's spells @sp
 * (@ns), into @c (indexed like @x). */
static bool count_stage(const struct st_spell *sp, size_t ns, const struct st_exposure *x,
			const int64_t *t, size_t nq, bool banded, int64_t window, struct counts *c)
{
	struct ss_stab all;
	if (!ss_stab_init(&all, t, nq))
		return false;
	for (size_t i = 0; i < ns; i++)
		for (int b = 0; b < (banded ? ST_BANDS : 1); b++)
			ss_add_spell(&all, &sp[i], b, banded, INT64_MIN, window);
	ss_stab_sum(&all);
	for (size_t i = 0; i < nq; i++) {
		int b = banded ? ss_band(t[i] - x[i].spell.e) : 0;
		c->band[i] = (unsigned char)b;
		c->open[i] = ss_stab_at(&all, b, SS_OPEN, i);
		c->adv[i] = ss_stab_at(&all, b, SS_ADV, i);
	}
	ss_stab_free(&all);
	return true;
}

/* Runs @fn(@a) on a thread of its own and @fn(@b) on this one; both here,
 * one after the other, when no thread can be made. */
static void run_both(void *(*fn)(void *), void *a, void *b)
{
	pthread_t thread;
	bool threaded = pthread_create(&thread, NULL, fn, a) == 0;
	if (!threaded)
		fn(a);
	fn(b);
	if (threaded)
		pthread_join(thread, NULL);
}

/* The exposure where the second half starts: the first of a run of equal
 * @key (stage or asset) at or after the middle. */
static size_t halfway(const struct st_exposure *x, size_t n, bool by_asset)
{
	size_t mid = n / 2;
	while (mid > 0 && mid < n &&
	       (by_asset ? x[mid].asset == x[mid - 1].asset
			 : x[mid].spell.stage == x[mid - 1].spell.stage))
		mid++;
	return mid;
}

/* A half of the stages' counts: the exposures [from, to) of d. */
struct stage_half {
	const struct st_data *d;
	const int64_t *t;
	int64_t window;
	const struct st_spell *sp;
	struct counts *c;
	const struct st_result *crowd;
	size_t from, to;
	bool ok;
};

static void *count_half(void *p)
{
	struct stage_half *h = p;
	const struct st_data *d = h->d;
	size_t s = 0;
	h->ok = true;
	for (size_t i = h->from, j; h->ok && i < h->to; i = j) {
		int stage = d->exps[i].spell.stage;
		size_t nq = 0;
		for (j = i; j < h->to && d->exps[j].spell.stage == stage; j++)
			nq += d->exps[j].t <= d->now - h->window;
		while (s < d->nspells && h->sp[s].stage < stage)
			s++;
		size_t e = s;
		while (e < d->nspells && h->sp[e].stage == stage)
			e++;
		struct counts part = {h->c->open + i, h->c->adv + i, h->c->band + i};
		h->ok = count_stage(h->sp + s, e - s, d->exps + i, h->t + i, nq,
				    st_crowded(h->crowd, stage), h->window, &part);
	}
	return NULL;
}

/* The counts before exclusion of every exposure with a complete window
 * (d->exps sorted by stage, then time; @t their times), stage by stage;
 * and the crowded stages. @sp: the spells, to be sorted. */
static bool count_all(const struct st_data *d, const int64_t *t, int64_t window,
		      struct st_spell *sp, struct counts *c, struct st_result *out)
{
	if (!ss_sort_by_stage_time(sp, d->nspells, sizeof *sp, spell_key, cmp_spell) ||
	    !find_crowded(sp, d->nspells, d->now - window, out))
		return false;
	size_t mid = halfway(d->exps, d->nexps, false);
	struct stage_half a = {d, t, window, sp, c, out, 0, mid, false};
	struct stage_half b = {d, t, window, sp, c, out, mid, d->nexps, false};
	run_both(count_half, &a, &b);
	return a.ok && b.ok;
}

/* Items grouped by a number: item k of group g is at[start[g] + k]. */
struct groups {
	size_t *start;
	size_t n;
};

/* Counts items by @key (below n) into g->start, as the starts of groups. */
static void count_into(struct groups *g, size_t n, const void *items, size_t size,
		       int (*key)(const void *))
{
	for (size_t i = 0; i < n; i++)
		g->start[key((const char *)items + i * size) + 1]++;
	for (size_t k = 0; k < g->n; k++)
		g->start[k + 1] += g->start[k];
}

static int spell_deal(const void *x)
{
	return ((const struct st_spell *)x)->deal;
}

static int given_deal(const void *x)
{
	return ((const struct st_given *)x)->deal;
}

static int given_asset(const void *x)
{
	return ((const struct st_given *)x)->asset;
}

/* Groups the spells by deal (copies into *@by) and the shares to deals by
 * asset, each asset's by deal (copies into *@given, *@ngiven of them: those
 * of an asset with exposures and a deal with spells). Two stable counting
 * sorts: by deal, then by asset. */
static bool group_inputs(const struct st_data *d, struct st_spell **by, struct groups *deals,
			 struct st_given **given, size_t *ngiven, struct groups *assets)
{
	int top_deal = -1, top_asset = -1;
	for (size_t i = 0; i < d->nspells; i++)
		top_deal = d->spells[i].deal > top_deal ? d->spells[i].deal : top_deal;
	for (size_t i = 0; i < d->nexps; i++)
		top_asset = d->exps[i].asset > top_asset ? d->exps[i].asset : top_asset;
	deals->n = (size_t)(top_deal + 1);
	assets->n = (size_t)(top_asset + 1);
	deals->start = calloc(deals->n + 1, sizeof *deals->start);
	assets->start = calloc(assets->n + 1, sizeof *assets->start);
	size_t *at = malloc((deals->n + assets->n + 1) * sizeof *at);
	struct st_given *kept = malloc((d->ngiven + 1) * sizeof *kept);
	*by = malloc((d->nspells + 1) * sizeof **by);
	*given = malloc((d->ngiven + 1) * sizeof **given);
	bool ok = deals->start && assets->start && at && kept && *by && *given;
	size_t n = 0;
	for (size_t i = 0; ok && i < d->ngiven; i++) {
		const struct st_given *g = &d->given[i];
		if (g->asset >= 0 && (size_t)g->asset < assets->n && g->deal >= 0 &&
		    (size_t)g->deal < deals->n)
			kept[n++] = *g;
	}
	if (ok) {
		count_into(deals, d->nspells, d->spells, sizeof *d->spells, spell_deal);
		memcpy(at, deals->start, deals->n * sizeof *at);
		for (size_t i = 0; i < d->nspells; i++)
			(*by)[at[d->spells[i].deal]++] = d->spells[i];
		/* by deal into *given, then by asset into kept, back in place */
		struct groups by_deal = {at, deals->n};
		memset(at, 0, (deals->n + 1) * sizeof *at);
		count_into(&by_deal, n, kept, sizeof *kept, given_deal);
		for (size_t i = 0; i < n; i++)
			(*given)[at[kept[i].deal]++] = kept[i];
		count_into(assets, n, *given, sizeof **given, given_asset);
		memcpy(at, assets->start, assets->n * sizeof *at);
		for (size_t i = 0; i < n; i++)
			kept[at[(*given)[i].asset]++] = (*given)[i];
		memcpy(*given, kept, n * sizeof *kept);
		*ngiven = n;
	}
	free(at);
	free(kept);
	return ok;
}

/* The row of one asset and stage: its exposures @g (@n, by time) with
 * their counts @c (indexed like @g) less those of @excl, over the first
 * ones, those with a complete window. */
static void fill_row(const struct st_exposure *g, size_t n, const struct counts *c,
		     const struct ss_stab *excl, int64_t window, double *days, struct st_row *row)
{
	size_t ndays = 0;
	double inv_m = 0;
	row->pending = (long)(n - excl->n);
	for (size_t i = 0; i < excl->n; i++) {
		int64_t t = g[i].t;
		int b = c->band[i];
		long m = c->open[i] - ss_stab_at(excl, b, SS_OPEN, i);
		long a = c->adv[i] - ss_stab_at(excl, b, SS_ADV, i);
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

/* The inputs of one asset's rows. */
struct asset_run {
	const struct st_data *d;
	int64_t window;
	const int64_t *t; /* the exposures' times */
	const struct st_spell *by_deal;
	const struct groups *deals;
	const struct st_given *given; /* this asset's shares to deals, by deal */
	size_t ngiven;
	double *days; /* scratch of nexps */
};

/* One asset's stage: where its exposures start (@at, into the asset's),
 * whether crowded, and the spells to take off, at the times of its
 * exposures with a complete window. */
struct group {
	int stage;
	size_t at;
	bool banded;
	struct ss_stab excl;
};

/* The group of @stage among @g (@n, by stage), or NULL. */
static struct group *find_group(struct group *g, int n, int stage)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (g[mid].stage < stage)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && g[lo].stage == stage && g[lo].excl.n > 0 ? &g[lo] : NULL;
}

/* The asset's exposures @x (@n, by stage then time; @t their times) as
 * groups, each with the times of its complete windows; their number, or
 * -1 when out of memory. */
static int make_groups(const struct asset_run *r, const struct st_exposure *x, const int64_t *t,
		       size_t n, const struct st_result *crowd, struct group *g)
{
	int ng = 0;
	for (size_t i = 0, j; i < n; i = j) {
		size_t complete = 0;
		for (j = i; j < n && x[j].spell.stage == x[i].spell.stage; j++)
			complete += x[j].t <= r->d->now - r->window;
		g[ng] =
		    (struct group){x[i].spell.stage, i, st_crowded(crowd, x[i].spell.stage), {0}};
		if (!ss_stab_init(&g[ng++].excl, t + i, complete))
			return -1;
	}
	return ng;
}

/* The rows of one asset, whose exposures are @x (@n, by stage then time;
 * @t their times), appended to out->rows. Its deals' spells of its stages,
 * cut at their first share, are the spells to take off. */
static bool run_asset(const struct asset_run *r, const struct st_exposure *x, const int64_t *t,
		      size_t n, const struct counts *c, const struct st_result *crowd,
		      struct st_row *rows, size_t *nrows)
{
	struct group *g = calloc(n + 1, sizeof *g);
	int ng = g ? make_groups(r, x, t, n, crowd, g) : -1;
	bool ok = ng >= 0;
	for (size_t k = 0, next; ok && k < r->ngiven; k = next) {
		/* The deals come in order but far apart: fetch ahead. */
		if (k + 16 < r->ngiven)
			__builtin_prefetch(&r->deals->start[r->given[k + 16].deal]);
		if (k + 8 < r->ngiven)
			__builtin_prefetch(&r->by_deal[r->deals->start[r->given[k + 8].deal]]);
		int deal = r->given[k].deal;
		int64_t at = r->given[k].at; /* the deal's first share */
		for (next = k + 1; next < r->ngiven && r->given[next].deal == deal; next++)
			at = r->given[next].at < at ? r->given[next].at : at;
		for (size_t i = r->deals->start[deal]; i < r->deals->start[deal + 1]; i++) {
			const struct st_spell *sp = &r->by_deal[i];
			struct group *to = sp->l > at ? find_group(g, ng, sp->stage) : NULL;
			for (int b = 0; to && b < (to->banded ? ST_BANDS : 1); b++)
				ss_add_spell(&to->excl, sp, b, to->banded, at, r->window);
		}
	}
	for (int s = 0; ok && s < ng; s++) {
		size_t end = s + 1 < ng ? g[s + 1].at : n;
		struct st_row *row = &rows[(*nrows)++];
		*row = (struct st_row){
		    .asset = x[0].asset, .stage = g[s].stage, .banded = g[s].banded};
		struct counts part = {c->open + g[s].at, c->adv + g[s].at, c->band + g[s].at};
		ss_stab_sum(&g[s].excl);
		fill_row(x + g[s].at, end - g[s].at, &part, &g[s].excl, r->window, r->days, row);
	}
	for (size_t s = 0; g && s <= n; s++) /* zeroed past the groups made */
		ss_stab_free(&g[s].excl);
	free(g);
	return ok;
}

/* A half of the assets: the exposures [from, to) of d, their rows into
 * @rows. */
struct asset_half {
	struct asset_run r;
	const struct groups *assets;
	const struct st_given *given;
	const struct counts *c;
	const struct st_result *crowd;
	size_t from, to;
	struct st_row *rows;
	size_t nrows;
	bool ok;
};

static void *assets_half(void *p)
{
	struct asset_half *h = p;
	const struct st_data *d = h->r.d;
	h->r.days = malloc((h->to - h->from + 1) * sizeof *h->r.days);
	h->ok = h->r.days != NULL;
	for (size_t i = h->from, j; h->ok && i < h->to; i = j) {
		for (j = i; j < h->to && d->exps[j].asset == d->exps[i].asset; j++)
			;
		int a = d->exps[i].asset;
		h->r.given = h->given + h->assets->start[a];
		h->r.ngiven = h->assets->start[a + 1] - h->assets->start[a];
		struct counts part = {h->c->open + i, h->c->adv + i, h->c->band + i};
		h->ok = run_asset(&h->r, d->exps + i, h->r.t + i, j - i, &part, h->crowd, h->rows,
				  &h->nrows);
	}
	free(h->r.days);
	return NULL;
}

bool st_run(struct st_data *d, int64_t window, struct st_result *out)
{
	memset(out, 0, sizeof *out);
	struct st_spell *sp = malloc((d->nspells + 1) * sizeof *sp), *by_deal = NULL;
	struct counts c = {calloc(d->nexps + 1, sizeof *c.open),
			   calloc(d->nexps + 1, sizeof *c.adv), calloc(d->nexps + 1, 1)};
	int64_t *t = malloc((d->nexps + 1) * sizeof *t);
	struct groups deals = {0}, assets = {0};
	struct st_given *given = NULL;
	size_t ngiven = 0;
	out->rows = malloc((d->nexps + 1) * sizeof *out->rows);
	struct st_row *second = malloc((d->nexps + 1) * sizeof *second);
	bool ok =
	    sp && c.open && c.adv && c.band && t && out->rows && second &&
	    ss_sort_by_stage_time(d->exps, d->nexps, sizeof *d->exps, exposure_key, cmp_exposure);
	if (ok && d->nspells > 0)
		memcpy(sp, d->spells, d->nspells * sizeof *sp);
	for (size_t i = 0; ok && i < d->nexps; i++)
		t[i] = d->exps[i].t;
	ok = ok && count_all(d, t, window, sp, &c, out) && sort_by_asset(d->exps, d->nexps, &c) &&
	     group_inputs(d, &by_deal, &deals, &given, &ngiven, &assets);
	for (size_t i = 0; ok && i < d->nexps; i++)
		t[i] = d->exps[i].t;
	if (ok) {
		size_t mid = halfway(d->exps, d->nexps, true);
		struct asset_run r = {
		    .d = d, .window = window, .t = t, .by_deal = by_deal, .deals = &deals};
		struct asset_half a = {r, &assets, given, &c, out, 0, mid, out->rows, 0, false};
		struct asset_half b = {r, &assets, given, &c, out, mid, d->nexps, second, 0, false};
		run_both(assets_half, &a, &b);
		ok = a.ok && b.ok;
		if (ok && b.nrows > 0)
			memcpy(out->rows + a.nrows, second, b.nrows * sizeof *second);
		out->nrows = ok ? a.nrows + b.nrows : a.nrows;
	}
	free(sp);
	free(by_deal);
	free(c.open);
	free(c.adv);
	free(c.band);
	free(t);
	free(deals.start);
	free(assets.start);
	free(given);
	free(second);
	return ok;
}

void st_result_free(struct st_result *out)
{
	free(out->rows);
	free(out->crowded);
	memset(out, 0, sizeof *out);
}
