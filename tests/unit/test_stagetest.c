/* The next-stage test's counting (st_run) against its definition (README,
 * Analytics: "The next-stage test", rules 1 to 4 and 8): hand-made cases
 * worked out in comments, then random deal histories compared with a
 * brute force written from the text alone (every exposure against every
 * spell of its stage, every day of a stage counted for its crowding,
 * O(n^2)). The brute force sees deals, spells and shares; st_run sees
 * what the database gives: spells, first shares per spell (exposures) and
 * every share's time per deal, shares before a deal's first stage
 * included. Ties at t, t + W, e, l, band edges and now are made on
 * purpose (coarse time grids); big cases take the radix-sort paths (20000
 * items). */
#include "harness.h"
#include "stagetest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define DAY  ST_USEC_PER_DAY
#define NONE SIZE_MAX /* a share outside every spell */

/* A deal history: spells (with their deal) and shares (with their deal,
 * and their spell or NONE). At most one share per asset and spell. */
struct share {
	int asset, deal;
	size_t spell;
	int64_t t;
};

struct world {
	struct st_spell *spells;
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
		if (w->spells == NULL)
			abort();
	}
	w->spells[w->nspells] = (struct st_spell){stage, deal, e, l, adv};
	return w->nspells++;
}

static void add_share(struct world *w, int asset, int deal, size_t spell, int64_t t)
{
	if (w->nshares == w->share_cap) {
		w->share_cap = w->share_cap ? 2 * w->share_cap : 64;
		w->shares = realloc(w->shares, w->share_cap * sizeof *w->shares);
		if (w->shares == NULL)
			abort();
	}
	w->shares[w->nshares++] = (struct share){asset, deal, spell, t};
}

/* A share during spell @spell. */
static void share_in(struct world *w, int asset, size_t spell, int64_t t)
{
	add_share(w, asset, w->spells[spell].deal, spell, t);
}

static void world_free(struct world *w)
{
	free(w->spells);
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

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && a < 0);
}

/* Spell @c advanced by time @T, after time @after. */
static bool advanced_in(const struct st_spell *c, int64_t after, int64_t T)
{
	return c->adv && c->l != ST_OPEN && after < c->l && c->l <= T;
}

static bool open_at(const struct st_spell *c, int64_t t)
{
	return c->e <= t && (c->l == ST_OPEN || t < c->l);
}

/* The first of [0,14), [14,30), [30,60), [60,∞) days that holds @d. */
static int band_of(int64_t d)
{
	return d < 14 * DAY ? 0 : d < 30 * DAY ? 1 : d < 60 * DAY ? 2 : 3;
}

/* Rule 3's crowding: the median over the days from that of the first
 * entry to that of now - W, at 00:00, of the spells open then. Fewer than
 * ST_CROWD spells in all can never make ST_CROWD on a day: not counted. */
static bool brute_crowded(const struct world *w, int stage)
{
	size_t n = 0;
	int64_t first = INT64_MAX;
	for (size_t i = 0; i < w->nspells; i++)
		if (w->spells[i].stage == stage) {
			n++;
			first = w->spells[i].e < first ? w->spells[i].e : first;
		}
	int64_t k0 = n ? floor_div(first, DAY) : 0, k1 = floor_div(w->now - w->window, DAY);
	if (n < ST_CROWD || k0 > k1)
		return false;
	double *open = malloc((size_t)(k1 - k0 + 1) * sizeof *open);
	if (open == NULL)
		abort();
	for (int64_t k = k0; k <= k1; k++) {
		long c = 0;
		for (size_t i = 0; i < w->nspells; i++)
			c += w->spells[i].stage == stage && open_at(&w->spells[i], k * DAY);
		open[k - k0] = (double)c;
	}
	bool crowded = median_of(open, (size_t)(k1 - k0 + 1)) >= ST_CROWD;
	free(open);
	return crowded;
}

/* The row of @asset in @stage; @first[d]: when deal d first got the
 * asset (INT64_MAX: never). */
static void brute_row(const struct world *w, int asset, int stage, const int64_t *first,
		      struct st_row *row)
{
	const int64_t W = w->window;
	double *days = malloc((w->nshares + 1) * sizeof *days), inv_m = 0;
	size_t ndays = 0;
	if (days == NULL)
		abort();
	*row = (struct st_row){.asset = asset, .stage = stage, .banded = brute_crowded(w, stage)};
	for (size_t x = 0; x < w->nshares; x++) {
		const struct share *sh = &w->shares[x];
		if (sh->asset != asset || sh->spell == NONE || w->spells[sh->spell].stage != stage)
			continue;
		const struct st_spell *mine = &w->spells[sh->spell];
		int64_t t = sh->t;
		if (t + W > w->now) {
			row->pending++;
			continue;
		}
		long controls = 0, advanced = 0;
		for (size_t j = 0; j < w->nspells; j++) {
			const struct st_spell *c = &w->spells[j];
			if (c->stage != stage || c->deal == mine->deal || !open_at(c, t))
				continue; /* another stage, the same deal, not open at t */
			if (first[c->deal] <= t)
				continue; /* its deal had been given the asset */
			if (row->banded && band_of(t - c->e) != band_of(t - mine->e))
				continue;
			controls++;
			advanced += advanced_in(c, t, t + W);
		}
		if (controls == 0) {
			row->no_controls++;
			continue;
		}
		row->n++;
		row->expected += (double)advanced / (double)controls;
		inv_m += 1.0 / (double)controls;
		if (advanced_in(mine, t, t + W)) {
			row->observed++;
			days[ndays++] = (double)(mine->l - t) / (double)DAY;
		}
	}
	double b = row->n ? row->expected / (double)row->n : 0;
	row->variance = b * (1 - b) * inv_m;
	row->median_days = median_of(days, ndays);
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

static int top_deal(const struct world *w)
{
	int top = 0;
	for (size_t i = 0; i < w->nspells; i++)
		top = w->spells[i].deal > top ? w->spells[i].deal : top;
	for (size_t i = 0; i < w->nshares; i++)
		top = w->shares[i].deal > top ? w->shares[i].deal : top;
	return top;
}

/* One row per (asset, stage) with a share in a spell, by asset, stage. */
static struct st_row *brute(const struct world *w, size_t *nrows)
{
	struct pair *p = malloc((w->nshares + 1) * sizeof *p);
	size_t ndeals = (size_t)top_deal(w) + 1, np = 0;
	int64_t *first = malloc(ndeals * sizeof *first);
	struct st_row *rows = malloc((w->nshares + 1) * sizeof *rows);
	if (p == NULL || first == NULL || rows == NULL)
		abort();
	for (size_t i = 0; i < w->nshares; i++)
		if (w->shares[i].spell != NONE)
			p[np++] =
			    (struct pair){w->shares[i].asset, w->spells[w->shares[i].spell].stage};
	qsort(p, np, sizeof *p, cmp_pair);
	*nrows = 0;
	for (size_t i = 0; i < np; i++) {
		if (i > 0 && cmp_pair(&p[i - 1], &p[i]) == 0)
			continue;
		for (size_t d = 0; d < ndeals; d++)
			first[d] = INT64_MAX;
		for (size_t x = 0; x < w->nshares; x++) {
			const struct share *sh = &w->shares[x];
			if (sh->asset == p[i].asset && sh->t < first[sh->deal])
				first[sh->deal] = sh->t;
		}
		brute_row(w, p[i].asset, p[i].stage, first, &rows[(*nrows)++]);
	}
	free(p);
	free(first);
	return rows;
}

/* ---- st_run on the same history ---- */

/* st_run's input as the database gives it: the spells, the in-spell shares
 * as exposures (in any order: shuffled) and every share as a time the
 * asset was given to its deal (shuffled too). Checks that the spells are
 * left as they were. */
static struct st_row *run(const struct world *w, size_t *nrows, struct st_result *res)
{
	struct st_data d = {.spells = malloc((w->nspells + 1) * sizeof *d.spells),
			    .nspells = w->nspells,
			    .exps = malloc((w->nshares + 1) * sizeof *d.exps),
			    .given = malloc((w->nshares + 1) * sizeof *d.given),
			    .ngiven = w->nshares,
			    .now = w->now};
	if (d.spells == NULL || d.exps == NULL || d.given == NULL)
		abort();
	if (w->nspells > 0)
		memcpy(d.spells, w->spells, w->nspells * sizeof *d.spells);
	for (size_t i = 0; i < w->nshares; i++) {
		const struct share *sh = &w->shares[i];
		d.given[i] = (struct st_given){sh->asset, sh->deal, sh->t};
		if (sh->spell != NONE)
			d.exps[d.nexps++] =
			    (struct st_exposure){sh->asset, w->spells[sh->spell], sh->t};
	}
	for (size_t i = d.nexps; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		struct st_exposure tmp = d.exps[i - 1];
		d.exps[i - 1] = d.exps[j];
		d.exps[j] = tmp;
	}
	for (size_t i = d.ngiven; i > 1; i--) {
		size_t j = (size_t)(rnd() % i);
		struct st_given tmp = d.given[i - 1];
		d.given[i - 1] = d.given[j];
		d.given[j] = tmp;
	}
	bool ok = st_run(&d, w->window, res);
	CHECK(ok);
	CHECK(w->nspells == 0 || memcmp(d.spells, w->spells, w->nspells * sizeof *d.spells) == 0);
	*nrows = res->nrows;
	free(d.spells);
	free(d.exps);
	free(d.given);
	return res->rows;
}

/* Equal to 1e-9 (relative), or both tiny: sums taken in another order. */
static bool close_to(double got, double want)
{
	if (isnan(want) || isnan(got))
		return isnan(want) && isnan(got);
	return fabs(got - want) <= 1e-9 * fabs(want) + 1e-12;
}

static bool same_row(const struct st_row *a, const struct st_row *b)
{
	return a->asset == b->asset && a->stage == b->stage && a->n == b->n &&
	       a->no_controls == b->no_controls && a->pending == b->pending &&
	       a->observed == b->observed && a->banded == b->banded &&
	       close_to(a->expected, b->expected) && close_to(a->variance, b->variance) &&
	       close_to(a->median_days, b->median_days);
}

static void print_row(const char *who, const struct st_row *r)
{
	printf("  #   %s: asset %d stage %d n %ld no_controls %ld pending %ld O %ld E %.17g"
	       " V %.17g median %.17g banded %d\n",
	       who, r->asset, r->stage, r->n, r->no_controls, r->pending, r->observed, r->expected,
	       r->variance, r->median_days, r->banded);
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
	struct st_result res;
	struct st_row *got = run(w, &ng, &res), *b = brute(w, &nb);
	CHECK(same_rows("brute force", b, nb, want, n));
	CHECK(same_rows("st_run", got, ng, want, n));
	for (size_t i = 0; i < n; i++)
		CHECK(st_crowded(&res, want[i].stage) == want[i].banded);
	st_result_free(&res);
	free(b);
}

struct want {
	int asset, stage;
	long n, no_controls, pending, observed;
	double expected, inv_m, median_days;
	bool banded;
};

/* A row from its counts and Σ 1/m. */
static struct st_row row_of(struct want x)
{
	double b = x.n ? x.expected / (double)x.n : 0;
	return (struct st_row){x.asset,	      x.stage,	  x.n,	      x.no_controls,
			       x.pending,     x.observed, x.expected, b * (1 - b) * x.inv_m,
			       x.median_days, x.banded};
}

/* ---- Hand-made cases (times in days, W = 10 days unless said) ---- */

/* Stage 1, asset 7 (deals 0 to 6 and 8):
 *   deal 0: [0, 8) advanced, shared at 2    deal 2: [0, 10) advanced
 *   deal 1: [1, 5) advanced, shared at 3    deal 3: [2, 20) advanced
 *   deal 4: [1, open)                       deal 5: [0, 30) advanced, shared
 *   deal 6: stage 2 [-10, 0) then stage 1           at -5, before its first
 *           [0, 9) advanced; shared at -3            stage
 *           (in stage 2)                    deal 8: [90, open), shared at 95
 * Exposure at 2, window (2, 12]: deal 1 is open and got the asset only at
 * 3, after t: a control (a later share does not exclude). Deals 5 and 6
 * got it before t: not controls. Controls 1, 2, 3 (entered at t: open)
 * and 4; 1 and 2 advanced by 12: p = 2/4, m = 4. Own spell advanced at 8:
 * y = 1, 6 days.
 * Exposure at 3, window (3, 13]: deal 0 got it at 2: out. Controls 2, 3,
 * 4: p = 1/3, m = 3; own advanced at 5: y = 1, 2 days.
 * Exposure at 95: 95 + 10 > now = 100: pending.
 * n = 2, O = 2, E = 5/6, Σ 1/m = 7/12, median 4 days, pending 1.
 * Stage 2: deal 6's exposure at -3 has no other spell of stage 2: no
 * controls. Fewer than 40 spells: neither stage is crowded. */
static void risk_set_controls(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	size_t d0 = add_spell(&w, 0, 1, 0, 8 * DAY, true);
	size_t d1 = add_spell(&w, 1, 1, 1 * DAY, 5 * DAY, true);
	add_spell(&w, 2, 1, 0, 10 * DAY, true);
	add_spell(&w, 3, 1, 2 * DAY, 20 * DAY, true);
	add_spell(&w, 4, 1, 1 * DAY, ST_OPEN, false);
	add_spell(&w, 5, 1, 0, 30 * DAY, true);
	size_t d6 = add_spell(&w, 6, 2, -10 * DAY, 0, false);
	add_spell(&w, 6, 1, 0, 9 * DAY, true);
	size_t d8 = add_spell(&w, 8, 1, 90 * DAY, ST_OPEN, false);
	share_in(&w, 7, d0, 2 * DAY);
	share_in(&w, 7, d1, 3 * DAY);
	add_share(&w, 7, 5, NONE, -5 * DAY);
	share_in(&w, 7, d6, -3 * DAY);
	share_in(&w, 7, d8, 95 * DAY);
	struct st_row want[] = {
	    row_of((struct want){7, 1, 2, 0, 1, 2, 5.0 / 6, 7.0 / 12, 4, false}),
	    row_of((struct want){7, 2, 0, 1, 0, 0, 0, 0, NAN, false})};
	check_world(&w, want, 2);
	world_free(&w);
}

/* Stage 3 with 45 deals in it since day 0 and never leaving: open every
 * day from day 0 to now - W = 190, so crowded. Deal X enters at 95 and
 * gets asset 1 at 100: 5 days in stage, band [0, 14). At 100 the 45 have
 * been there 100 days (band [60, ∞)): not controls. Y [90, 105) advanced
 * (10 days: same band) and Q [99, open) are; Z [80, 120) advanced (20
 * days: band [14, 30)) is not. m = 2, p = 1/2 (unbanded it would be 1/48).
 * X left for a later stage at 108: y = 1, 8 days. */
static void banding_in_a_crowded_stage(void)
{
	struct world w = {.now = 200 * DAY, .window = 10 * DAY};
	for (int d = 0; d < 45; d++)
		add_spell(&w, 10 + d, 3, 0, ST_OPEN, false);
	size_t x = add_spell(&w, 1, 3, 95 * DAY, 108 * DAY, true);
	add_spell(&w, 2, 3, 90 * DAY, 105 * DAY, true);
	add_spell(&w, 3, 3, 80 * DAY, 120 * DAY, true);
	add_spell(&w, 4, 3, 99 * DAY, ST_OPEN, false);
	share_in(&w, 1, x, 100 * DAY);
	struct st_row want[] = {row_of((struct want){1, 3, 1, 0, 0, 1, 0.5, 0.5, 8, true})};
	check_world(&w, want, 1);
	world_free(&w);
}

/* Crowding at its edge: days 0 to 3 (now - W = 3 days 12 h). 39 deals
 * open from day 0; two more enter on day 2 (at 00:00: open that day): 39,
 * 39, 41, 41, median 40: crowded. When the second enters a minute after
 * day 2 begins it is open from day 3 only: 39, 39, 40, 41, median 39.5:
 * not crowded. A stage first entered after now - W has no day: not
 * crowded. The exposure (asset 0, day 3 at 12:00 minus W) only makes the
 * row; with band or not its controls are the same 40 (all in [0, 14)). */
static void crowding_at_its_edge(void)
{
	for (int late = 0; late < 2; late++) {
		struct world w = {.now = 3 * DAY + DAY / 2 + 2 * DAY, .window = 2 * DAY};
		for (int d = 0; d < 39; d++)
			add_spell(&w, d, 5, 0, ST_OPEN, false);
		add_spell(&w, 40, 5, 2 * DAY, ST_OPEN, false);
		size_t x =
		    add_spell(&w, 41, 5, 2 * DAY + (late ? 60 * 1000000 : 0), ST_OPEN, false);
		share_in(&w, 0, x, 3 * DAY + DAY / 2);
		add_spell(&w, 50, 6, 4 * DAY, ST_OPEN, false);
		struct st_row want[] = {
		    row_of((struct want){0, 5, 1, 0, 0, 0, 0, 1.0 / 40, NAN, late == 0})};
		check_world(&w, want, 1);
		struct st_result res;
		size_t n;
		run(&w, &n, &res);
		CHECK(!st_crowded(&res, 6));
		st_result_free(&res);
		world_free(&w);
	}
}

/* Ties at one instant, W = 1 µs, stage 4, asset 0, all at time 100 µs:
 *   A [100, 101) adv, shared at 100    C [100, 101) adv
 *   B [100, 101) adv, shared at 100    D [50, 100)  adv (left at t)
 *   E [101, 200) (entered after t)     G [90, 300), shared at 101
 * A at 100, window (100, 101]: B got it at 100, at t: out. C (entered at
 * t, advanced at t + W) and G (its share comes after t): m = 2, p = 1/2.
 * A advanced at 101: y = 1, 1 µs. B likewise. G at 101, window (101,
 * 102]: A, B, C left at 101; E entered at 101: m = 1, p = 0; y = 0.
 * n = 3, O = 2, E = 1, Σ 1/m = 2, median 1 µs. */
static void ties_at_one_instant(void)
{
	struct world w = {.now = 1000, .window = 1};
	size_t a = add_spell(&w, 0, 4, 100, 101, true);
	size_t b = add_spell(&w, 1, 4, 100, 101, true);
	add_spell(&w, 2, 4, 100, 101, true);
	add_spell(&w, 3, 4, 50, 100, true);
	add_spell(&w, 4, 4, 101, 200, false);
	size_t g = add_spell(&w, 5, 4, 90, 300, false);
	share_in(&w, 0, a, 100);
	share_in(&w, 0, b, 100);
	share_in(&w, 0, g, 101);
	struct st_row want[] = {
	    row_of((struct want){0, 4, 3, 0, 0, 2, 1, 2, 1.0 / (double)DAY, false})};
	check_world(&w, want, 1);
	world_free(&w);
}

/* No control advanced: E = 0 (and V = 0). Two deals get asset 2 in stage
 * 0 at day 1; three others stay. */
static void nothing_expected(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	share_in(&w, 2, add_spell(&w, 0, 0, 0, 5 * DAY, true), DAY);
	share_in(&w, 2, add_spell(&w, 1, 0, 0, ST_OPEN, false), DAY);
	for (int d = 2; d < 5; d++)
		add_spell(&w, d, 0, 0, ST_OPEN, false);
	struct st_row want[] = {row_of((struct want){2, 0, 2, 0, 0, 1, 0, 2.0 / 3, 4, false})};
	check_world(&w, want, 1);
	world_free(&w);
}

static void nothing_in_nothing_out(void)
{
	struct world w = {.now = 100 * DAY, .window = 10 * DAY};
	check_world(&w, NULL, 0);
	add_spell(&w, 0, 1, 0, ST_OPEN, false);
	check_world(&w, NULL, 0);
	add_share(&w, 3, 0, NONE, -DAY); /* a share outside every spell: no row */
	check_world(&w, NULL, 0);
	world_free(&w);
}

/* ---- Random histories ---- */

/* Parameters of one random history. */
struct shape {
	int deals, max_spells, stages, stage_base, assets, max_share_pct;
	int64_t origin, unit, span; /* times: origin + unit * [0, span] */
	int64_t window;
	int long_pct; /* how often a spell may last the whole span */
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
			    t + sh->unit *
				    rnd_in(0, chance(sh->long_pct) ? sh->span : sh->span / 8 + 1);
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
				share_in(w, asset, i, share_time(w, sh, s->e, s->l));
		}
		/* Shares outside every spell: before a deal's first stage (or
		 * after its last, as in an outcome), up to a span before. */
		for (int d = 0; d < sh->deals; d++)
			if (chance(pct / 4))
				add_share(w, asset, d, NONE, sh->origin - sh->unit * rnd_in(0, 3));
	}
}

/* Compares st_run with the brute force on @w; false (and a message naming
 * @seed) when they differ. Counts the banded rows into *@banded. */
static bool agree(const struct world *w, unsigned seed, long *banded)
{
	size_t ng, nb;
	struct st_result res;
	struct st_row *got = run(w, &ng, &res), *want = brute(w, &nb);
	char label[64];
	snprintf(label, sizeof label, "seed %u", seed);
	bool ok = same_rows(label, got, ng, want, nb) && ordered(got, ng);
	for (size_t i = 0; i < nb; i++)
		*banded += want[i].banded;
	st_result_free(&res);
	free(want);
	return ok;
}

#ifndef SEEDS /* more with -DSEEDS=n */
#define SEEDS 300
#endif

static void random_histories_match_the_definition(void)
{
	int failed = 0;
	long banded = 0, rows = 0;
	for (unsigned seed = 1; seed <= SEEDS; seed++) {
		rng = seed;
		struct shape sh = {
		    .deals = (int)rnd_in(0, 300),
		    .max_spells = (int)rnd_in(1, 5),
		    .stages = (int)rnd_in(1, 5),
		    .assets = (int)rnd_in(0, 5),
		    .max_share_pct = (int)rnd_in(1, 100),
		    .long_pct = 30,
		};
		switch (seed % 6) {
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
		case 4: /* times too far apart for a radix key: the qsort paths;
			 * under 40 spells a stage, as days are too many to count */
			sh.unit = (int64_t)1 << 55;
			sh.span = rnd_in(5, 40);
			sh.window = sh.unit * rnd_in(1, 8);
			sh.deals = (int)rnd_in(0, 7);
			break;
		case 5: /* crowded stages: many long stays, hours over months */
			sh.deals = (int)rnd_in(150, 400);
			sh.stages = (int)rnd_in(1, 2);
			sh.unit = DAY / 4;
			sh.span = rnd_in(120, 400);
			sh.window = DAY * rnd_in(1, 30);
			sh.long_pct = 60;
			break;
		}
		sh.origin = chance(30) ? -sh.unit * rnd_in(0, sh.span) : sh.unit * rnd_in(0, 100);
		if (seed % 6 == 4)
			sh.origin = -sh.unit * 20;
		/* Stage numbers out of a radix key's range now and then. */
		sh.stage_base = seed % 7 == 0 ? 4094 : (int)rnd_in(0, 3);
		struct world w;
		make_world(&w, &sh);
		long before = banded;
		if (!agree(&w, seed, &banded) && ++failed >= 5)
			seed = SEEDS;
		rows += banded > before;
		world_free(&w);
	}
	CHECK(failed == 0);
	/* Both kinds of stage were tried. */
	printf("  # %ld of %d histories had a crowded stage\n", rows, SEEDS);
	CHECK(rows >= SEEDS / 20 && rows <= SEEDS / 2);
}

/* 28,000 spells in one stage (radix sorts of their times; crowded), one
 * asset with 4,000 exposures and one with 23,000 in that stage (radix
 * sorts inside its group too; most of its windows not over, to keep the
 * brute force quick), times on a one-hour grid from before the epoch. */
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
	for (size_t i = 0, n = w.nspells; i < n; i++) {
		const struct st_spell *s = &w.spells[i];
		int64_t hi = s->l == ST_OPEN ? w.now : s->l - 1;
		int64_t t = s->e + hour * rnd_in(0, (hi - s->e) / hour);
		if (i % 8 == 0)
			share_in(&w, 1, i, t);
		if (i % 16 == 1)
			add_share(&w, 1, s->deal, NONE, s->e - hour);
		if (s->stage == 2 && big < 23000 && (t > w.now - w.window || chance(10))) {
			share_in(&w, 2, i, t);
			big++;
			big_left += s->l != ST_OPEN;
			big_adv += s->adv;
		}
	}
	CHECK(big == 23000 && big_left >= 20000 && big_adv >= 20000);
	long banded = 0;
	CHECK(agree(&w, 424242, &banded));
	CHECK(banded == 5);
	world_free(&w);
}

int main(void)
{
	TEST(risk_set_controls);
	TEST(banding_in_a_crowded_stage);
	TEST(crowding_at_its_edge);
	TEST(ties_at_one_instant);
	TEST(nothing_expected);
	TEST(nothing_in_nothing_out);
	TEST(random_histories_match_the_definition);
	TEST(big_history_matches_the_definition);
	return HARNESS_EXIT();
}
