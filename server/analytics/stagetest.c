/* The next-stage test over spells and exposures loaded in memory.
 *
 * For an exposure at t in stage s, its controls are the spells of s open
 * at t, minus the spells in which the asset was shared before t + W (its
 * own among them). So the control counts are "all spells of s open at t"
 * and "those that advanced within (t, t + W]", both answered for every
 * exposure from per-stage sorted arrays (a Fenwick tree for the second),
 * less the same counts over the asset's own exposed spells. O(n log n). */
#include "stagetest.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define USEC_PER_DAY (86400.0 * 1e6)

static int cmp_spell(const void *a, const void *b)
{
	const struct st_spell *x = a, *y = b;
	if (x->stage != y->stage)
		return (x->stage > y->stage) - (x->stage < y->stage);
	return (x->e > y->e) - (x->e < y->e);
}

static int cmp_exposure(const void *a, const void *b)
{
	const struct st_exposure *x = a, *y = b;
	if (x->asset != y->asset)
		return (x->asset > y->asset) - (x->asset < y->asset);
	if (x->spell.stage != y->spell.stage)
		return (x->spell.stage > y->spell.stage) - (x->spell.stage < y->spell.stage);
	return (x->t > y->t) - (x->t < y->t);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct st_exposure *x = a, *y = b;
	return (x->spell.e > y->spell.e) - (x->spell.e < y->spell.e);
}

/* An item's sort key, and the items sorted by it. */
struct keyed {
	uint64_t key;
	size_t i;
};

/* Sorts @n items of @size bytes by @keys (stable LSD radix, 16 bits a
 * pass, as many passes as the largest key needs). */
static bool radix_sort(void *items, size_t n, size_t size, struct keyed *k)
{
	struct keyed *tmp = malloc((n + 1) * sizeof *tmp);
	size_t *count = malloc(65537 * sizeof *count);
	char *out = malloc(n * size + 1);
	bool ok = tmp && count && out;
	uint64_t top = 0;
	for (size_t i = 0; i < n; i++)
		top |= k[i].key;
	for (unsigned shift = 0; ok && shift < 64 && (top >> shift) != 0; shift += 16) {
		memset(count, 0, 65537 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[((k[i].key >> shift) & 0xffff) + 1]++;
		for (size_t d = 0; d < 65536; d++)
			count[d + 1] += count[d];
		for (size_t i = 0; i < n; i++)
			tmp[count[(k[i].key >> shift) & 0xffff]++] = k[i];
		memcpy(k, tmp, n * sizeof *k);
	}
	for (size_t i = 0; ok && i < n; i++)
		memcpy(out + i * size, (char *)items + k[i].i * size, size);
	if (ok)
		memcpy(items, out, n * size);
	free(tmp);
	free(count);
	free(out);
	return ok;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Below this, qsort beats a radix sort's fixed cost. */
#define RADIX_MIN 20000

/* Sorts @n int64 values. */
static bool sort_times(int64_t *v, size_t n)
{
	if (n < RADIX_MIN) {
		qsort(v, n, sizeof *v, cmp_i64);
		return true;
	}
	struct keyed *k = malloc((n + 1) * sizeof *k);
	if (k == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){(uint64_t)v[i] ^ (1ull << 63), i};
	bool ok = radix_sort(v, n, sizeof *v, k);
	free(k);
	return ok;
}

/* Values of @v (sorted, @n) that are <= @x. */
static size_t count_le(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A query of the control counts: the exposure @x (index into exps). */
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

/* For the queries @q (@nq, one stage, sorted by t) and that stage's spells
 * @sp (@ns, sorted by e): all spells open at t into open[x], those that
 * advanced within (t, t + W] into adv[x]. */
static bool count_stage(const struct st_spell *sp, size_t ns, const struct query *q, size_t nq,
			int64_t window, long *open, long *adv)
{
	int64_t *lefts = malloc((ns + 1) * sizeof *lefts);
	int64_t *advl = malloc((ns + 1) * sizeof *advl); /* left times of advanced spells */
	long *tree = calloc(ns + 1, sizeof *tree);
	bool ok = lefts && advl && tree;
	size_t nl = 0, na = 0;
	for (size_t i = 0; ok && i < ns; i++) {
		if (sp[i].l != ST_OPEN)
			lefts[nl++] = sp[i].l;
		if (sp[i].adv)
			advl[na++] = sp[i].l;
	}
	ok = ok && sort_times(lefts, nl) && sort_times(advl, na);
	/* Sweep the queries in time order, adding each advanced spell once
	 * it has been entered; the tree counts their left times by rank. The
	 * other counts only grow with t: cursors. */
	size_t entered = 0, left = 0, upto_t = 0, upto_w = 0;
	for (size_t i = 0; ok && i < nq; i++) {
		int64_t t = q[i].t;
		for (; entered < ns && sp[entered].e <= t; entered++) {
			if (!sp[entered].adv)
				continue;
			for (size_t k = count_le(advl, na, sp[entered].l); k <= na; k += k & -k)
				tree[k]++;
		}
		while (left < nl && lefts[left] <= t)
			left++;
		while (upto_t < na && advl[upto_t] <= t)
			upto_t++;
		while (upto_w < na && advl[upto_w] <= t + window)
			upto_w++;
		long n = 0;
		for (size_t k = upto_w; k > 0; k -= k & -k)
			n += tree[k];
		for (size_t k = upto_t; k > 0; k -= k & -k)
			n -= tree[k];
		open[q[i].x] = (long)entered - (long)left;
		adv[q[i].x] = n;
	}
	free(lefts);
	free(advl);
	free(tree);
	return ok;
}

/* Keys of (stage, time) for radix_sort: the stage above 52 bits of time
 * since @min; false when the times span more than that (centuries). */
static bool stage_time_key(int stage, int64_t t, int64_t min, int64_t max, uint64_t *key)
{
	if (stage < 0 || stage >= 4096 || (uint64_t)(max - min) >= (1ull << 52))
		return false;
	*key = ((uint64_t)stage << 52) | (uint64_t)(t - min);
	return true;
}

/* The stage and time an item is sorted by. */
typedef void (*stage_time_fn)(const void *item, int *stage, int64_t *t);

/* Sorts @n items of @size bytes by (stage, time): a radix sort when there
 * are many, else (or when the times span centuries) qsort with @cmp. */
static bool sort_by_stage_time(void *items, size_t n, size_t size, stage_time_fn of,
			       int (*cmp)(const void *, const void *))
{
	struct keyed *k = n < RADIX_MIN ? NULL : malloc((n + 1) * sizeof *k);
	int64_t min = INT64_MAX, max = INT64_MIN, t;
	int stage;
	for (size_t i = 0; k && i < n; i++) {
		of((char *)items + i * size, &stage, &t);
		min = t < min ? t : min;
		max = t > max ? t : max;
	}
	bool radix = k != NULL;
	for (size_t i = 0; radix && i < n; i++) {
		of((char *)items + i * size, &stage, &t);
		radix = stage_time_key(stage, t, min, max, &k[i].key);
		k[i].i = i;
	}
	bool ok = true;
	if (radix)
		ok = radix_sort(items, n, size, k);
	else if (n < RADIX_MIN || k != NULL)
		qsort(items, n, size, cmp);
	else
		ok = false; /* out of memory */
	free(k);
	return ok;
}

static void query_key(const void *item, int *stage, int64_t *t)
{
	const struct query *q = item;
	*stage = q->stage;
	*t = q->t;
}

static void spell_key(const void *item, int *stage, int64_t *t)
{
	const struct st_spell *sp = item;
	*stage = sp->stage;
	*t = sp->e;
}

/* Fills open[]/adv[] for every exposure with a complete window. */
static bool count_controls(struct st_spell *spells, size_t nspells, const struct st_exposure *exps,
			   size_t nexps, int64_t now, int64_t window, long *open, long *adv)
{
	struct query *q = malloc((nexps + 1) * sizeof *q);
	if (q == NULL)
		return false;
	size_t nq = 0;
	for (size_t i = 0; i < nexps; i++)
		if (exps[i].t <= now - window)
			q[nq++] = (struct query){exps[i].spell.stage, exps[i].t, i};
	bool ok = sort_by_stage_time(q, nq, sizeof *q, query_key, cmp_query) &&
		  sort_by_stage_time(spells, nspells, sizeof *spells, spell_key, cmp_spell);
	size_t s = 0;
	for (size_t i = 0; ok && i < nq;) {
		size_t j = i;
		while (j < nq && q[j].stage == q[i].stage)
			j++;
		while (s < nspells && spells[s].stage < q[i].stage)
			s++;
		size_t s_end = s;
		while (s_end < nspells && spells[s_end].stage == q[i].stage)
			s_end++;
		ok = count_stage(spells + s, s_end - s, q + i, j - i, window, open, adv);
		i = j;
	}
	free(q);
	return ok;
}

/* For the queries @q (@nq, sorted by t) and the spells @sp (@ns, sorted
 * by e) in which the asset was shared at times @shared: how many were
 * entered by t but shared only from t + W on, into late[x]. */
static bool count_late(const struct st_spell *sp, const int64_t *shared, size_t ns,
		       const struct query *q, size_t nq, int64_t window, long *late)
{
	int64_t *ts = malloc((ns + 1) * sizeof *ts);
	long *tree = calloc(ns + 1, sizeof *tree);
	bool ok = ts && tree;
	if (ok)
		memcpy(ts, shared, ns * sizeof *ts);
	ok = ok && sort_times(ts, ns);
	size_t next = 0;
	long added = 0;
	for (size_t i = 0; ok && i < nq; i++) {
		for (; next < ns && sp[next].e <= q[i].t; next++, added++)
			for (size_t k = count_le(ts, ns, shared[next]); k <= ns; k += k & -k)
				tree[k]++;
		long before = 0; /* shared before t + W */
		for (size_t k = count_le(ts, ns, q[i].t + window - 1); k > 0; k -= k & -k)
			before += tree[k];
		late[q[i].x] = added - before;
	}
	free(ts);
	free(tree);
	return ok;
}

/* The row of one asset and stage: exposures @g (@n, sorted by t), with the
 * stage's control counts @open and @adv (indexed like @g). The spells in
 * which the asset was shared before t + W and open at t are not controls:
 * those open at t (all shared before t + W but the late ones) and those
 * of them that advanced within the window (shared before they advanced,
 * so all before t + W) are counted over the group's own spells. */
static bool run_group(const struct st_exposure *g, size_t n, long *open, long *adv, int64_t now,
		      int64_t window, struct st_row *row)
{
	struct st_spell *sp = malloc((n + 1) * sizeof *sp);
	int64_t *shared = malloc((n + 1) * sizeof *shared);
	struct query *q = malloc((n + 1) * sizeof *q);
	long *own = calloc(3 * n + 1, sizeof *own), *own_adv = own + n, *late = own + 2 * n;
	double *days = malloc((n + 1) * sizeof *days);
	bool ok = sp && shared && q && own && days;
	size_t nq = 0, ndays = 0;
	for (size_t i = 0; ok && i < n; i++) {
		sp[i] = g[i].spell;
		if (g[i].t <= now - window)
			q[nq++] = (struct query){g[i].spell.stage, g[i].t, i};
	}
	if (ok) {
		/* Sort the spells by entry, carrying their share times along. */
		struct st_exposure *tmp = malloc((n + 1) * sizeof *tmp);
		ok = tmp != NULL;
		if (ok) {
			memcpy(tmp, g, n * sizeof *tmp);
			qsort(tmp, n, sizeof *tmp, cmp_entry);
			for (size_t i = 0; i < n; i++) {
				sp[i] = tmp[i].spell;
				shared[i] = tmp[i].t;
			}
		}
		free(tmp);
	}
	ok = ok && count_stage(sp, n, q, nq, window, own, own_adv) &&
	     count_late(sp, shared, n, q, nq, window, late);
	*row = (struct st_row){.asset = g[0].asset, .stage = g[0].spell.stage};
	for (size_t k = 0; ok && k < nq; k++) {
		size_t i = q[k].x;
		int64_t t = g[i].t, end = t + window;
		long controls = open[i] - (own[i] - late[i]), advanced = adv[i] - own_adv[i];
		if (controls <= 0) {
			row->no_controls++;
			continue;
		}
		row->exposures++;
		row->expected += (double)advanced / (double)controls;
		const struct st_spell *mine = &g[i].spell;
		if (mine->adv && mine->l <= end) {
			row->advanced++;
			days[ndays++] = (double)(mine->l - t) / USEC_PER_DAY;
		}
	}
	row->median_days = stats_median(days, ndays);
	stats_poisson_lift(row->advanced, row->expected, &row->lift);
	free(sp);
	free(shared);
	free(q);
	free(own);
	free(days);
	return ok;
}

/* Orders @exps by asset, stage and time: a counting sort by asset (dense
 * small numbers), then a sort of each asset's own. */
static bool sort_exposures(struct st_exposure *exps, size_t n)
{
	if (n == 0)
		return true;
	int top = 0;
	for (size_t i = 0; i < n; i++)
		top = exps[i].asset > top ? exps[i].asset : top;
	size_t *start = calloc((size_t)top + 2, sizeof *start);
	struct st_exposure *out = malloc((n + 1) * sizeof *out);
	if (start == NULL || out == NULL) {
		free(start);
		free(out);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		start[exps[i].asset + 1]++;
	for (int a = 0; a <= top; a++)
		start[a + 1] += start[a];
	for (size_t i = 0; i < n; i++)
		out[start[exps[i].asset]++] = exps[i];
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && out[j].asset == out[i].asset; j++)
			;
		qsort(out + i, j - i, sizeof *out, cmp_exposure);
	}
	memcpy(exps, out, n * sizeof *exps);
	free(start);
	free(out);
	return true;
}

bool st_run(const struct st_spell *spells, size_t nspells, struct st_exposure *exps, size_t nexps,
	    int64_t now, int64_t window, struct st_row **rows, size_t *nrows)
{
	*rows = NULL;
	*nrows = 0;
	if (!sort_exposures(exps, nexps))
		return false;
	struct st_spell *sp = malloc((nspells + 1) * sizeof *sp);
	long *open = calloc(nexps + 1, sizeof *open), *adv = calloc(nexps + 1, sizeof *adv);
	bool ok = sp && open && adv;
	if (ok) {
		if (nspells > 0)
			memcpy(sp, spells, nspells * sizeof *sp);
		ok = count_controls(sp, nspells, exps, nexps, now, window, open, adv);
	}
	size_t cap = 0;
	for (size_t i = 0; ok && i < nexps;) {
		size_t j = i;
		while (j < nexps && exps[j].asset == exps[i].asset &&
		       exps[j].spell.stage == exps[i].spell.stage)
			j++;
		if (*nrows == cap) {
			cap = cap ? 2 * cap : 256;
			struct st_row *more = realloc(*rows, cap * sizeof *more);
			if (more == NULL) {
				ok = false;
				break;
			}
			*rows = more;
		}
		ok = run_group(exps + i, j - i, open + i, adv + i, now, window, &(*rows)[*nrows]);
		if (ok)
			(*nrows)++;
		i = j;
	}
	free(sp);
	free(open);
	free(adv);
	return ok;
}
