/* The next-stage test's counting (st_run) against its definition (README,
 * Analytics: "The next-stage test", rules 1 to 4 and 7): hand-made cases
 * worked out in comments, then random deal histories compared with a
 * brute force written from the text alone (every exposure against every
 * spell of its stage, O(n^2)). The brute force knows which deal each spell
 * belongs to and in which spell each share fell; st_run sees only values,
 * as the database gives them. Ties at t, t + W, e, l and now are made on
 * purpose (coarse time grids); big cases take st_run's radix-sort paths
 * (20000 items). */
#include "harness.h"
#include "stagetest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define DAY ((int64_t)86400 * 1000000)

/* A deal history: spells (with their deal) and shares (with their spell). */
struct share {
	int asset;
	size_t spell;
	int64_t t;
};

struct world {
	struct st_spell *spells;
	int *deal;
	size_t nspells, spell_cap;
	struct share *shares;
	size_t nshares, share_cap;
	int64_t now, window;
};

static size_t add_spell(struct world *w, int deal, int stage, int64_t e, int64_t l, bool adv)
{
	if (w->nspells == w->spell_cap) {
		w->spell_cap = w->spell_cap ? 2 * w->spell_cap : 64;
		w->spells = realloc(w->spells, w->spell_cap * sizeof *w->spells);
		w->deal = realloc(w->deal, w->spell_cap * sizeof *w->deal);
		if (w->spells == NULL || w->deal == NULL)
			abort();
	}
	w->spells[w->nspells] = (struct st_spell){stage, e, l, adv};
	w->deal[w->nspells] = deal;
	return w->nspells++;
}

static void add_share(struct world *w, int asset, size_t spell, int64_t t)
{
	if (w->nshares == w->share_cap) {
		w->share_cap = w->share_cap ? 2 * w->share_cap : 64;
		w->shares = realloc(w->shares, w->share_cap * sizeof *w->shares);
		if (w->shares == NULL)
			abort();
	}
	w->shares[w->nshares++] = (struct share){asset, spell, t};
}

static void world_free(struct world *w)
{
	free(w->spells);
	free(w->deal);
	free(w->shares);
	*w = (struct world){0};
}

/* splitmix64: the same data for a seed on every platform. */
static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t rnd_in(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % ((uint64_t)(hi - lo) + 1));
}

static bool chance(int percent)
{
	return rnd() % 100 < (uint64_t)percent;
}

/* ---- The brute force, from the README's text ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Spell @c advanced by time @T, after time @after. */
static bool advanced_in(const struct st_spell *c, int64_t after, int64_t T)
{
	return c->adv && c->l != ST_OPEN && after < c->l && c->l <= T;
}

/* The row of @asset in @stage. @shared_at[i]: when the asset was shared
 * during spell i (INT64_MAX: never). */
static void brute_row(const struct world *w, int asset, int stage, const int64_t *shared_at,
		      struct st_row *row)
{
	const int64_t W = w->window;
	double *days = malloc((w->nshares + 1) * sizeof *days);
	size_t ndays = 0;
	if (days == NULL)
		abort();
	*row = (struct st_row){.asset = asset, .stage = stage};
	for (size_t x = 0; x < w->nshares; x++) {
		const struct share *sh = &w->shares[x];
		const struct st_spell *mine = &w->spells[sh->spell];
		if (sh->asset != asset || mine->stage != stage)
			continue;
		int64_t t = sh->t;
		if (t > w->now - W) /* t + W > now: the window is not over */
			continue;
		long controls = 0, advanced = 0;
		for (size_t j = 0; j < w->nspells; j++) {
			const struct st_spell *c = &w->spells[j];
			if (c->stage != stage || w->deal[j] == w->deal[sh->spell])
				continue; /* another stage, or the same deal */
			if (!(c->e <= t && (c->l == ST_OPEN || t < c->l)))
				continue; /* not open at t */
			if (shared_at[j] < t + W)
				continue; /* the asset was shared in it before t + W */
			controls++;
			advanced += advanced_in(c, t, t + W);
		}
		if (controls == 0) {
			row->no_controls++;
			continue;
		}
		row->exposures++;
		row->expected += (double)advanced / (double)controls;
		if (advanced_in(mine, t, t + W)) {
			row->advanced++;
			days[ndays++] = (double)(mine->l - t) / (double)DAY;
		}
	}
	row->median_days = median_of(days, ndays);
	stats_poisson_lift(row->advanced, row->expected, &row->lift);
	free(days);
}

struct pair {
	int asset, stage;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->asset != y->asset)
		return (x->asset > y->asset) - (x->asset < y->asset);
	return (x->stage > y->stage) - (x->stage < y->stage);
}

/* One row per (asset, stage) with a share, ordered by asset then stage. */
static struct st_row *brute(const struct world *w, size_t *nrows)
{
	struct pair *p = malloc((w->nshares + 1) * sizeof *p);
	int64_t *shared_at = malloc((w->nspells + 1) * sizeof *shared_at);
	struct st_row *rows = malloc((w->nshares + 1) * sizeof *rows);
	if (p == NULL || shared_at == NULL || rows == NULL)
		abort();
	for (size_t i = 0; i < w->nshares; i++)
		p[i] = (struct pair){w->shares[i].asset, w->spells[w->shares[i].spell].stage};
	qsort(p, w->nshares, sizeof *p, cmp_pair);
	*nrows = 0;
	for (size_t i = 0; i < w->nshares; i++) {
		if (i > 0 && cmp_pair(&p[i - 1], &p[i]) == 0)
			continue;
		for (size_t j = 0; j < w->nspells; j++)
			shared_at[j] = INT64_MAX;
		for (size_t x = 0; x < w->nshares; x++)
			if (w->shares[x].asset == p[i].asset)
				shared_at[w->shares[x].spell] = w->shares[x].t;
		brute_row(w, p[i].asset, p[i].stage, shared_at, &rows[(*nrows)++]);
	}
	free(p);
	free(shared_at);
	return rows;
}

/* ---- st_run on the same history ---- */

/* st_run's input as the database gives it: values, exposures in any order
 * (shuffled when @shuffle). Checks that the spells are left as they were. */
static struct st_row *run(const struct world *w, bool shuffle, size_t *nrows)
{
	struct st_exposure *x = malloc((w->nshares + 1) * sizeof *x);
	struct st_spell *copy = malloc((w->nspells + 1) * sizeof *copy);
	if (x == NULL || copy == NULL)
		abort();
	for (size_t i = 0; i < w->nshares; i++)
		x[i] = (struct st_exposure){w->shares[i].asset, w->spells[w->shares[i].spell],
					    w->shares[i].t};
	for (size_t i = w->nshares; shuffle && i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		struct st_exposure tmp = x[i - 1];
		x[i - 1] = x[j];
		x[j] = tmp;
	}
	if (w->nspells > 0)
		memcpy(copy, w->spells, w->nspells * sizeof *copy);
	struct st_row *rows = NULL;
	bool ok = st_run(w->spells, w->nspells, x, w->nshares, w->now, w->window, &rows, nrows);
	CHECK(ok);
	CHECK(w->nspells == 0 || memcmp(copy, w->spells, w->nspells * sizeof *copy) == 0);
	free(x);
	free(copy);
	return rows;
}

static bool close_to(double got, double want)
{
	if (isnan(want) || isnan(got))
		return isnan(want) && isnan(got);
	if (isinf(want) || isinf(got))
		return got == want;
	return fabs(got - want) <= 1e-9 * fabs(want);
}

static bool same_row(const struct st_row *a, const struct st_row *b)
{
	return a->asset == b->asset && a->stage == b->stage && a->exposures == b->exposures &&
	       a->no_controls == b->no_controls && a->advanced == b->advanced &&
	       close_to(a->expected, b->expected) && close_to(a->median_days, b->median_days) &&
	       close_to(a->lift.lift, b->lift.lift) && close_to(a->lift.ci_low, b->lift.ci_low) &&
	       close_to(a->lift.ci_high, b->lift.ci_high);
}

static void print_row(const char *who, const struct st_row *r)
{
	printf("  #   %s: asset %d stage %d n %ld no_controls %ld O %ld E %.17g median %.17g\n",
	       who, r->asset, r->stage, r->exposures, r->no_controls, r->advanced, r->expected,
	       r->median_days);
}

/* Compares @got (@ng rows) with @want (@nw); prints the first few
 * differences under @label. */
static bool same_rows(const char *label, const struct st_row *got, size_t ng,
		      const struct st_row *want, size_t nw)
{
	bool same = ng == nw;
	if (ng != nw)
		printf("  # %s: %zu rows, want %zu\n", label, ng, nw);
	for (size_t i = 0, shown = 0; i < ng && i < nw; i++) {
		if (same_row(&got[i], &want[i]))
			continue;
		same = false;
		if (shown++ < 3) {
			printf("  # %s: row %zu differs\n", label, i);
			print_row("st_run", &got[i]);
			print_row("want  ", &want[i]);
		}
	}
	return same;
}

/* Rows strictly ordered by asset then stage: one per pair. */
static bool ordered(const struct st_row *r, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (cmp_pair(&(struct pair){r[i - 1].asset, r[i - 1].stage},
			     &(struct pair){r[i].asset, r[i].stage}) >= 0)
			return false;
	return true;
}

/* st_run and the brute force both give @want (@n rows). */
static void check_world(const struct world *w, const struct st_row *want, size_t n)
{
	size_t ng, nb;
	struct st_row *got = run(w, true, &ng), *b = brute(w, &nb);
	CHECK(same_rows("brute force", b, nb, want, n));
	CHECK(same_rows("st_run", got, ng, want, n));
	free(got);
	free(b);
}

static struct st_row row_of(int asset, int stage, long n, long no_controls, long advanced,
			    double expected, double median_days)
{
	struct st_row r = {asset,    stage,    n,	    no_controls,
			   advanced, expected, median_days, {0, 0, 0}};
	stats_poisson_lift(advanced, expected, &r.lift);
	return r;
}

/* ---- Hand-made cases (times in days, W = 10 days unless said) ---- */

/* Stage 1, asset 7 shared to deals 0 and 1; deals 2, 3, 4 never get it.
 *   deal 0: [0, 8) advanced, shared at 2    deal 2: [0, 10) advanced
 *   deal 1: [1, 5) advanced, shared at 3    deal 3: [2, 20) advanced
 *                                           deal 4: [1, open)
 * Exposure at 2, window (2, 12]: deal 1 is open but got the asset at 3,
 * inside the window: not a control. Controls 2, 3 (entered at t: open) and
 * 4; only 2 advanced by 12: p = 1/3. Own spell advanced at 8: y = 1, 6 days.
 * Exposure at 3, window (3, 13]: deal 0 got it at 2: not a control.
 * Controls 2, 3, 4, p = 1/3; own advanced at 5: y = 1, 2 days.
 * n = 2, O = 2, E = 2/3, median (6 + 2) / 2 = 4 days. */
static void two_exposed_three_controls(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	size_t d0 = add_spell(&w, 0, 1, 0, 8 * DAY, true);
	size_t d1 = add_spell(&w, 1, 1, 1 * DAY, 5 * DAY, true);
	add_spell(&w, 2, 1, 0, 10 * DAY, true);
	add_spell(&w, 3, 1, 2 * DAY, 20 * DAY, true);
	add_spell(&w, 4, 1, 1 * DAY, ST_OPEN, false);
	add_share(&w, 7, d0, 2 * DAY);
	add_share(&w, 7, d1, 3 * DAY);
	struct st_row want[] = {row_of(7, 1, 2, 0, 2, 2.0 / 3, 4)};
	check_world(&w, want, 1);
	world_free(&w);
}

/* Stage 2, asset 3:
 *   X: [0, open),        shared at 5
 *   A: [0, 15) advanced, shared at 14
 *   B: [0, 40) advanced, shared at 15
 *   C: [5, 15) advanced
 *   D: [0, 5)  advanced
 *   E: [3, 12) left for a lost outcome (adv = false)
 * X at 5, window (5, 15]: A got the asset at 14 < 15: not a control. B got
 * it at 15 = t + W, not before: a control, advanced only at 40. C entered
 * at t: a control, advanced at 15 = t + W: counts. D left at t: not open.
 * E open, left by 12 but not forward. Controls B, C, E: p = 1/3; X is
 * still open: y = 0.
 * A at 14, window (14, 24]: X (5) and B (15) got it before 24; C open,
 * advanced at 15: the only control, p = 1. A advanced at 15: y = 1, 1 day.
 * B at 15, window (15, 25]: A and C left at 15, not open; X got it at 5:
 * no control, counted as no_controls.
 * n = 2, no_controls = 1, O = 1, E = 4/3, median 1 day. */
static void shares_inside_and_after_the_window(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	size_t x = add_spell(&w, 0, 2, 0, ST_OPEN, false);
	size_t a = add_spell(&w, 1, 2, 0, 15 * DAY, true);
	size_t b = add_spell(&w, 2, 2, 0, 40 * DAY, true);
	add_spell(&w, 3, 2, 5 * DAY, 15 * DAY, true);
	add_spell(&w, 4, 2, 0, 5 * DAY, true);
	add_spell(&w, 5, 2, 3 * DAY, 12 * DAY, false);
	add_share(&w, 3, x, 5 * DAY);
	add_share(&w, 3, a, 14 * DAY);
	add_share(&w, 3, b, 15 * DAY);
	struct st_row want[] = {row_of(3, 2, 2, 1, 1, 4.0 / 3, 1)};
	check_world(&w, want, 1);
	world_free(&w);
}

/* now = 20, stage 0.
 *   X: [0, open), asset 1 at 10 (10 + 10 = now: complete)
 *   Y: [0, open), asset 1 at 11 (21 > now: left out altogether),
 *                 asset 2 at 11
 *   C: [0, 15) advanced
 * Asset 1 at 10: Y got it at 11 < 20, not a control; C advanced at 15:
 * p = 1; X open: y = 0. n = 1, O = 0, E = 1, no median.
 * Asset 2: its only share's window is not over: a row of zeros. */
static void incomplete_window_left_out(void)
{
	struct world w = {.now = 20 * DAY, .window = 10 * DAY};
	size_t x = add_spell(&w, 0, 0, 0, ST_OPEN, false);
	size_t y = add_spell(&w, 1, 0, 0, ST_OPEN, false);
	add_spell(&w, 2, 0, 0, 15 * DAY, true);
	add_share(&w, 1, x, 10 * DAY);
	add_share(&w, 1, y, 11 * DAY);
	add_share(&w, 2, y, 11 * DAY);
	struct st_row want[] = {row_of(1, 0, 1, 0, 0, 1, NAN), row_of(2, 0, 0, 0, 0, 0, NAN)};
	check_world(&w, want, 2);
	world_free(&w);
}

/* Deal 0 moves from stage 1 to stage 3; the other deals stay in one.
 *   stage 1: P [0, 20) adv (deal 0)   Q [0, 6) adv   R [0, open)
 *   stage 3: S [20, 30) adv (deal 0)  T [0, open)
 * Asset 5 on P at 1 and T at 22; asset 2 on Q at 1 and S at 21.
 * (2, 1): Q at 1, window (1, 11]: controls P (asset 2 never in it, advanced
 *   only at 20) and R: p = 0; Q advanced at 6: y = 1, 5 days.
 * (2, 3): S at 21: control T (open): p = 0; S advanced at 30 <= 31: 9 days.
 * (5, 1): P at 1: controls Q (advanced at 6) and R: p = 1/2; y = 0.
 * (5, 3): T at 22, window (22, 32]: control S, advanced at 30: p = 1.
 * Rows come out by asset, then stage, whatever the input order. */
static void two_assets_two_stages_in_order(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	size_t p = add_spell(&w, 0, 1, 0, 20 * DAY, true);
	size_t q = add_spell(&w, 1, 1, 0, 6 * DAY, true);
	add_spell(&w, 2, 1, 0, ST_OPEN, false);
	size_t s = add_spell(&w, 0, 3, 20 * DAY, 30 * DAY, true);
	size_t t = add_spell(&w, 3, 3, 0, ST_OPEN, false);
	add_share(&w, 5, t, 22 * DAY);
	add_share(&w, 2, s, 21 * DAY);
	add_share(&w, 5, p, 1 * DAY);
	add_share(&w, 2, q, 1 * DAY);
	struct st_row want[] = {row_of(2, 1, 1, 0, 1, 0, 5), row_of(2, 3, 1, 0, 1, 0, 9),
				row_of(5, 1, 1, 0, 0, 0.5, NAN), row_of(5, 3, 1, 0, 0, 1, NAN)};
	check_world(&w, want, 4);
	world_free(&w);
}

/* Ties at one instant, W = 1 µs, stage 4, asset 0, all at time 100 µs:
 *   A [100, 101) adv, shared at 100    C [100, 101) adv
 *   B [100, 101) adv, shared at 100    D [50, 100)  adv (left at t)
 *   E [101, 200) (entered after t)
 * A at 100, window (100, 101]: B got it at 100 < 101: out. C entered at t
 * and advanced at t + W: p = 1/1. A advanced at 101: y = 1, 1 µs.
 * B likewise. n = 2, O = 2, E = 2, median 1 µs. */
static void ties_at_one_instant(void)
{
	struct world w = {.now = 1000, .window = 1};
	size_t a = add_spell(&w, 0, 4, 100, 101, true);
	size_t b = add_spell(&w, 1, 4, 100, 101, true);
	add_spell(&w, 2, 4, 100, 101, true);
	add_spell(&w, 3, 4, 50, 100, true);
	add_spell(&w, 4, 4, 101, 200, false);
	add_share(&w, 0, a, 100);
	add_share(&w, 0, b, 100);
	struct st_row want[] = {row_of(0, 4, 2, 0, 2, 2, 1.0 / (double)DAY)};
	check_world(&w, want, 1);
	world_free(&w);
}

static void nothing_in_nothing_out(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	check_world(&w, NULL, 0);
	add_spell(&w, 0, 1, 0, ST_OPEN, false);
	check_world(&w, NULL, 0);
	world_free(&w);
}

/* ---- Random histories ---- */

/* Parameters of one random history. */
struct shape {
	int deals, max_spells, stages, stage_base, assets, max_share_pct;
	int64_t origin, unit, span; /* times: origin + unit * [0, span] */
	int64_t window;
};

/* A share time in [e, min(l - 1, now)], on the grid mostly, at the
 * boundaries often. */
static int64_t share_time(const struct world *w, const struct shape *sh, int64_t e, int64_t l)
{
	int64_t hi = l == ST_OPEN || l - 1 > w->now ? w->now : l - 1;
	switch (rnd() % 6) {
	case 0:
		return e;
	case 1:
		return hi;
	case 2:
		if (w->now - w->window >= e && w->now - w->window <= hi)
			return w->now - w->window;
		return e;
	default:
		return e + sh->unit * rnd_in(0, (hi - e) / sh->unit);
	}
}

static void make_world(struct world *w, const struct shape *sh)
{
	*w = (struct world){.now = sh->origin + sh->unit * sh->span, .window = sh->window};
	for (int d = 0; d < sh->deals; d++) {
		int64_t t = sh->origin + sh->unit * rnd_in(0, sh->span);
		int n = (int)rnd_in(1, sh->max_spells);
		for (int k = 0; k < n; k++) {
			int stage = sh->stage_base + (int)rnd_in(0, sh->stages - 1);
			int64_t l =
			    t + sh->unit * rnd_in(0, chance(30) ? sh->span : sh->span / 8 + 1);
			if (l > w->now || (k == n - 1 && chance(40))) {
				add_spell(w, d, stage, t, ST_OPEN, false);
				break;
			}
			add_spell(w, d, stage, t, l, chance(50));
			t = l;
		}
	}
	int asset = (int)rnd_in(0, 3);
	for (int a = 0; a < sh->assets; a++, asset += (int)rnd_in(1, 4)) {
		int pct = (int)rnd_in(0, sh->max_share_pct);
		for (size_t i = 0; i < w->nspells; i++) {
			const struct st_spell *s = &w->spells[i];
			if (s->e < s->l && s->e <= w->now && chance(pct))
				add_share(w, asset, i, share_time(w, sh, s->e, s->l));
		}
	}
}

/* Compares st_run with the brute force on @w; false (and a message naming
 * @seed) when they differ. */
static bool agree(const struct world *w, unsigned seed)
{
	size_t ng, nb;
	struct st_row *got = run(w, true, &ng), *want = brute(w, &nb);
	char label[64];
	snprintf(label, sizeof label, "seed %u", seed);
	bool ok = same_rows(label, got, ng, want, nb) && ordered(got, ng);
	free(got);
	free(want);
	return ok;
}

#ifndef SEEDS /* more with -DSEEDS=n */
#define SEEDS 300
#endif

static void random_histories_match_the_definition(void)
{
	int failed = 0;
	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		rng = seed;
		struct shape sh = {
		    .deals = (int)rnd_in(0, 300),
		    .max_spells = (int)rnd_in(1, 5),
		    .stages = (int)rnd_in(1, 5),
		    .assets = (int)rnd_in(0, 5),
		    .max_share_pct = (int)rnd_in(1, 100),
		};
		switch (seed % 5) {
		case 0: /* whole days: many ties */
		case 1:
			sh.unit = DAY;
			sh.span = rnd_in(5, 60);
			sh.window = DAY * rnd_in(1, 12);
			break;
		case 2: /* a few µs apart: ties everywhere, W down to 1 µs */
			sh.unit = 1;
			sh.span = rnd_in(3, 40);
			sh.window = rnd_in(1, 10);
			break;
		case 3: /* microseconds over a year */
			sh.unit = 1;
			sh.span = 365 * DAY;
			sh.window = rnd_in(1, 60 * DAY);
			break;
		case 4: /* times too far apart for a radix key: the qsort paths */
			sh.unit = (int64_t)1 << 55;
			sh.span = rnd_in(5, 40);
			sh.window = sh.unit * rnd_in(1, 8);
			break;
		}
		sh.origin = chance(30) ? -sh.unit * rnd_in(0, sh.span) : sh.unit * rnd_in(0, 100);
		if (seed % 5 == 4)
			sh.origin = -sh.unit * 20;
		/* Stage numbers out of a radix key's range now and then. */
		sh.stage_base = seed % 7 == 0 ? 4094 : (int)rnd_in(0, 3);
		struct world w;
		make_world(&w, &sh);
		if (!agree(&w, seed) && ++failed >= 5)
			seed = SEEDS;
		world_free(&w);
	}
	CHECK(failed == 0);
}

/* 28,000 spells in one stage (radix sorts of their times), one asset with
 * 4,000 exposures and one with 23,000 in that stage (radix sorts inside
 * its group too; most of its windows not over, to keep the brute force
 * quick), times on a one-hour grid from before the epoch. */
static void big_history_matches_the_definition(void)
{
	rng = 424242;
	const int64_t hour = DAY / 24;
	struct world w = {.now = 60 * DAY, .window = 55 * DAY};
	for (int d = 0; d < 32000; d++) {
		int stage = d < 28000 ? 2 : (int)rnd_in(0, 3);
		int64_t e = -5 * DAY + hour * rnd_in(0, 45 * 24);
		if (chance(1))
			add_spell(&w, d, stage, e, ST_OPEN, false);
		else
			add_spell(&w, d, stage, e, e + hour * rnd_in(1, 20 * 24), chance(97));
	}
	long big = 0, big_left = 0, big_adv = 0;
	for (size_t i = 0; i < w.nspells; i++) {
		const struct st_spell *s = &w.spells[i];
		int64_t hi = s->l == ST_OPEN ? w.now : s->l - 1;
		int64_t t = s->e + hour * rnd_in(0, (hi - s->e) / hour);
		if (i % 8 == 0)
			add_share(&w, 1, i, t);
		if (s->stage == 2 && big < 23000 && (t > w.now - w.window || chance(10))) {
			add_share(&w, 2, i, t);
			big++;
			big_left += s->l != ST_OPEN;
			big_adv += s->adv;
		}
	}
	CHECK(big == 23000 && big_left >= 20000 && big_adv >= 20000);
	CHECK(agree(&w, 424242));
	world_free(&w);
}

int main(void)
{
	TEST(two_exposed_three_controls);
	TEST(shares_inside_and_after_the_window);
	TEST(incomplete_window_left_out);
	TEST(two_assets_two_stages_in_order);
	TEST(ties_at_one_instant);
	TEST(nothing_in_nothing_out);
	TEST(random_histories_match_the_definition);
	TEST(big_history_matches_the_definition);
	return HARNESS_EXIT();
}
