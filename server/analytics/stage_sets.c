/* The counting tools of the next-stage test (contracts in stage_sets.h).
 *
 * Every count the test needs is "how many intervals of time hold t": a
 * spell is a control candidate at t when t is in its stay within the
 * exposure's band, and it advanced within (t, t + W] when, in addition,
 * l - W ≤ t. So each spell gives one interval per band it reaches (and
 * one more when it advanced), cut at the time its deal got the asset when
 * it is to be taken off. The times asked about are known and sorted
 * beforehand: each interval is two binary searches among them and two
 * marks in a difference array. */
#include "stage_sets.h"

#include <stdlib.h>
#include <string.h>

/* Below this, qsort beats a radix sort's fixed cost. */
#define RADIX_MIN 20000

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* LSD radix sort of the values' offsets from their minimum, 16 bits a
 * pass, as many passes as the span needs. */
bool ss_sort_times(int64_t *v, size_t n)
{
	if (n < 2)
		return true;
	if (n < RADIX_MIN) {
		qsort(v, n, sizeof *v, cmp_i64);
		return true;
	}
	int64_t min = v[0], max = v[0];
	for (size_t i = 1; i < n; i++) {
		min = v[i] < min ? v[i] : min;
		max = v[i] > max ? v[i] : max;
	}
	uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	size_t *count = malloc(65537 * sizeof *count);
	bool ok = a && b && count;
	uint64_t span = (uint64_t)max - (uint64_t)min;
	for (size_t i = 0; ok && i < n; i++)
		a[i] = (uint64_t)v[i] - (uint64_t)min;
	for (unsigned shift = 0; ok && shift < 64 && (span >> shift) != 0; shift += 16) {
		memset(count, 0, 65537 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xffff) + 1]++;
		for (size_t d = 0; d < 65536; d++)
			count[d + 1] += count[d];
		for (size_t i = 0; i < n; i++)
			b[count[(a[i] >> shift) & 0xffff]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; ok && i < n; i++)
		v[i] = (int64_t)(a[i] + (uint64_t)min);
	free(a);
	free(b);
	free(count);
	return ok;
}

/* An item's sort key, and the items sorted by it. */
struct keyed {
	uint64_t key;
	size_t i;
};

/* Sorts @n items of @size bytes by @k (stable LSD radix, 16 bits a pass,
 * as many passes as the largest key needs). */
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

/* Keys of (stage, time): the stage above 52 bits of time since @min;
 * false when the times span more than that (centuries). */
static bool stage_time_key(int stage, int64_t t, int64_t min, int64_t max, uint64_t *key)
{
	if (stage < 0 || stage >= 4096 || (uint64_t)max - (uint64_t)min >= (1ull << 52))
		return false;
	*key = ((uint64_t)stage << 52) | ((uint64_t)t - (uint64_t)min);
	return true;
}

bool ss_sort_by_stage_time(void *items, size_t n, size_t size, ss_key_fn of,
			   int (*cmp)(const void *, const void *))
{
	if (n < 2)
		return true;
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

bool ss_stab_init(struct ss_stab *s, const int64_t *t, size_t n)
{
	s->t = t;
	s->n = n;
	s->count = calloc((size_t)ST_BANDS * 2 * (n + 1), sizeof *s->count);
	return s->count != NULL;
}

/* The first of the times at or after @x (n when none). Branch-free: the
 * halving step is a conditional move, which a mispredicted branch on
 * random times would cost several times over. */
static size_t lower_bound(const int64_t *t, size_t n, int64_t x)
{
	if (n == 0)
		return 0;
	const int64_t *base = t;
	while (n > 1) {
		size_t half = n / 2;
		base = base[half - 1] < x ? base + half : base;
		n -= half;
	}
	return (size_t)(base - t) + (*base < x);
}

static long *row_of(const struct ss_stab *s, int band, int kind)
{
	return s->count + ((size_t)band * 2 + (size_t)kind) * (s->n + 1);
}

/* Marks the run of times [i, j) in row @c. */
static void mark(long *c, size_t i, size_t j)
{
	if (i < j) {
		c[i]++;
		c[j]--;
	}
}

/* The run of times [*i, *j) that [start, end) holds. */
static void run_of(const struct ss_stab *s, int64_t start, int64_t end, size_t *i, size_t *j)
{
	*i = lower_bound(s->t, s->n, start);
	*j = end == ST_OPEN ? s->n : lower_bound(s->t + *i, s->n - *i, end) + *i;
}

void ss_stab_sum(struct ss_stab *s)
{
	for (int band = 0; band < ST_BANDS; band++)
		for (int kind = 0; kind < 2; kind++) {
			long *c = row_of(s, band, kind);
			for (size_t i = 1; i < s->n; i++)
				c[i] += c[i - 1];
		}
}

long ss_stab_at(const struct ss_stab *s, int band, int kind, size_t i)
{
	return row_of(s, band, kind)[i];
}

void ss_stab_free(struct ss_stab *s)
{
	free(s->count);
	memset(s, 0, sizeof *s);
}

/* The bands' first days: band b holds times in stage in
 * [band_day[b], band_day[b + 1]) days, the last one without end. */
static const int band_day[ST_BANDS] = {0, 14, 30, 60};

int ss_band(int64_t in_stage)
{
	int b = 0;
	while (b + 1 < ST_BANDS && in_stage >= band_day[b + 1] * ST_USEC_PER_DAY)
		b++;
	return b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

void ss_add_spell(struct ss_stab *s, const struct st_spell *sp, int b, bool banded, int64_t from,
		  int64_t window)
{
	int64_t start = sp->e, end = sp->l;
	if (banded) {
		start = sp->e + band_day[b] * ST_USEC_PER_DAY;
		int64_t band_end = sp->e + band_day[b + 1 < ST_BANDS ? b + 1 : b] * ST_USEC_PER_DAY;
		if (b + 1 < ST_BANDS && sp->l > band_end)
			end = band_end;
	}
	start = max64(start, from);
	if (start >= end || s->n == 0 || end <= s->t[0] || start > s->t[s->n - 1])
		return; /* holds none of the times */
	size_t i, j;
	run_of(s, start, end, &i, &j);
	mark(row_of(s, b, SS_OPEN), i, j);
	if (sp->adv && sp->l != ST_OPEN && i < j) /* a part of the same stay: within [i, j) */
		mark(row_of(s, b, SS_ADV), lower_bound(s->t + i, j - i, sp->l - window) + i, j);
}

static int64_t floor_day(int64_t t)
{
	int64_t q = t / ST_USEC_PER_DAY;
	return q - (t % ST_USEC_PER_DAY != 0 && t < 0);
}

static int64_t ceil_day(int64_t t)
{
	int64_t q = t / ST_USEC_PER_DAY;
	return q + (t % ST_USEC_PER_DAY != 0 && t > 0);
}

/* A stretch of @days days with @open spells open on each. */
struct run {
	long open;
	int64_t days;
};

static int by_open(const void *a, const void *b)
{
	long x = ((const struct run *)a)->open, y = ((const struct run *)b)->open;
	return (x > y) - (x < y);
}

/* The value of rank @k (from 0) of the multiset the runs @r (@n, sorted
 * by value) describe. */
static long rank_of(const struct run *r, size_t n, int64_t k)
{
	for (size_t i = 0; i < n; i++) {
		if (k < r[i].days)
			return r[i].open;
		k -= r[i].days;
	}
	return 0;
}

/* Day k (midnight of day k since the epoch) holds a spell when
 * e ≤ k·DAY < l, that is ceil(e/DAY) ≤ k < ceil(l/DAY): the open count
 * changes only at those days, so the days from k0 to k1 are a few runs of
 * equal counts, and their median is read from the runs sorted by count. */
bool ss_crowded(const struct st_spell *sp, size_t n, int64_t last, bool *ok)
{
	if (n == 0)
		return false;
	int64_t *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
	struct run *runs = malloc((2 * n + 1) * sizeof *runs);
	size_t nin = n, nout = 0, nruns = 0;
	int64_t first = sp[0].e;
	bool done = in && out && runs;
	for (size_t i = 0; done && i < n; i++) {
		first = sp[i].e < first ? sp[i].e : first;
		in[i] = ceil_day(sp[i].e);
		if (sp[i].l != ST_OPEN)
			out[nout++] = ceil_day(sp[i].l);
	}
	done = done && ss_sort_times(in, nin) && ss_sort_times(out, nout);
	int64_t k = floor_day(first), k1 = floor_day(last), total = k1 - k + 1;
	bool crowded = false;
	if (done && total > 0) {
		size_t a = 0, b = 0;
		for (;;) {
			while (a < nin && in[a] <= k)
				a++;
			while (b < nout && out[b] <= k)
				b++;
			int64_t next = k1 + 1;
			if (a < nin && in[a] < next)
				next = in[a];
			if (b < nout && out[b] < next)
				next = out[b];
			runs[nruns++] = (struct run){(long)a - (long)b, next - k};
			if (next > k1)
				break;
			k = next;
		}
		qsort(runs, nruns, sizeof *runs, by_open);
		long lo = rank_of(runs, nruns, (total - 1) / 2),
		     hi = rank_of(runs, nruns, total / 2);
		crowded = lo + hi >= 2 * ST_CROWD;
	}
	if (!done)
		*ok = false;
	free(in);
	free(out);
	free(runs);
	return crowded;
}
