/* Statistics of the next-stage test (README, Analytics: "The next-stage
 * test", rules 5 to 7): the closed-form interval against a bisection of
 * the inequality that defines it, on random and edge inputs; the p-value
 * against normal-table values; E = 0 and n = 0; the Benjamini–Hochberg
 * q-values against their definition over random families with ties; every
 * verdict, the equivalence margins at their edges; the median. */
#include "harness.h"
#include "stagetest.h"
#include "stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t rng = 20261203;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* ---- The interval, from its inequality ---- */

/* Whether θ satisfies max(0, |O - θE| - 1/2)² ≤ z² (θE (1 - θE/n) + θ² V). */
static bool inside(double n, double o, double e, double v, double theta)
{
	double gap = fmax(0, fabs(o - theta * e) - 0.5);
	return gap * gap <=
	       STATS_Z * STATS_Z * (theta * e * (1 - theta * e / n) + theta * theta * v);
}

/* The edge between @in (inside) and @out (not), by bisection. */
static double edge(double n, double o, double e, double v, double in, double out)
{
	for (int i = 0; i < 200; i++) {
		double mid = in + (out - in) / 2;
		if (mid == in || mid == out)
			break;
		if (inside(n, o, e, v, mid))
			in = mid;
		else
			out = mid;
	}
	return in + (out - in) / 2;
}

/* The interval of θ in [0, n/E] around O/E where the inequality holds:
 * scanned on a grid for its first point outside on each side, then
 * bisected. */
static void bisected(long n, long o, double e, double v, double *low, double *high)
{
	double nn = (double)n, mid = (double)o / e, top = nn / e;
	const int steps = 2000;
	*low = 0;
	for (int i = steps - 1; i >= 0; i--) {
		double th = mid * i / steps;
		if (!inside(nn, (double)o, e, v, th)) {
			*low = edge(nn, (double)o, e, v, mid * (i + 1) / steps, th);
			break;
		}
	}
	*high = top;
	for (int i = 1; i <= steps; i++) {
		double th = mid + (top - mid) * i / steps;
		if (!inside(nn, (double)o, e, v, th)) {
			*high = edge(nn, (double)o, e, v, mid + (top - mid) * (i - 1) / steps, th);
			break;
		}
	}
}

static bool near(double got, double want, double tol)
{
	return fabs(got - want) <= tol * fmax(1, fabs(want));
}

/* A random case: n exposures, O of them, E and V as a run could make them
 * (b in (0, 1), m controls each). */
static void random_case(long *n, long *o, double *e, double *v)
{
	*n = 1 + (long)(rnd() % (rnd() % 2 ? 30 : 2000));
	double b = uniform() * (rnd() % 4 ? 1 : 0.05), inv_m = 0;
	long m = 1 + (long)(rnd() % (rnd() % 3 ? 500 : 5));
	for (long i = 0; i < *n; i++)
		inv_m += 1.0 / (double)m;
	*e = b * (double)*n;
	*v = b * (1 - b) * inv_m;
	double rate = fmin(1, b * (0.3 + 2 * uniform()));
	*o = (long)floor(rate * (double)*n + 0.5);
	if (rnd() % 10 == 0)
		*o = rnd() % 2 ? 0 : *n;
}

static void interval_matches_its_inequality(void)
{
	int bad = 0, a_negative = 0;
	for (int k = 0; k < 20000; k++) {
		long n, o;
		double e, v;
		random_case(&n, &o, &e, &v);
		if (!(e > 0))
			continue;
		struct stats_lift l;
		stats_lift_of(n, o, e, v, &l);
		double low, high;
		bisected(n, o, e, v, &low, &high);
		double z2 = STATS_Z * STATS_Z;
		a_negative += e * e * (1 + z2 / (double)n) - z2 * v <= 0;
		bool ok = near(l.lift, (double)o / e, 1e-12) && near(l.ci_low, low, 1e-6) &&
			  near(l.ci_high, high, 1e-6) && l.ci_low <= l.lift && l.lift <= l.ci_high;
		if (!ok && bad++ < 5)
			printf("  # n %ld O %ld E %.17g V %.17g: [%.12g, %.12g], bisected [%.12g, "
			       "%.12g]\n",
			       n, o, e, v, l.ci_low, l.ci_high, low, high);
	}
	CHECK(bad == 0);
	CHECK(a_negative > 100); /* the A ≤ 0 branch was tried too */
}

/* O = 32 of n = 40, E = 16, V = 0.4 (b = 0.4, m = 24 for each): the
 * bounds are the roots of the two quadratics, written out. */
static void interval_worked_case(void)
{
	struct stats_lift l;
	stats_lift_of(40, 32, 16, 0.4 * 0.6 * 40 / 24.0, &l);
	double low, high;
	bisected(40, 32, 16, 0.4 * 0.6 * 40 / 24.0, &low, &high);
	CHECK(near(l.lift, 2, 1e-15));
	CHECK(near(l.ci_low, low, 1e-9) && near(l.ci_high, high, 1e-9));
	CHECK(l.ci_low > 1.4 && l.ci_low < 1.6 && l.ci_high > 2.3 && l.ci_high <= 2.5);
	/* O = 0: the low end is 0; O = n: the high end is n / E. */
	stats_lift_of(20, 0, 4, 0.1, &l);
	CHECK(l.ci_low == 0 && l.lift == 0 && l.ci_high > 0);
	stats_lift_of(20, 20, 10, 0.1, &l);
	CHECK(l.ci_high == 2 && l.lift == 2);
}

/* Normal-table values: 2 (1 - Φ(1.959964)) = 0.05, 2 (1 - Φ(2.575829)) =
 * 0.01. With n = 100, E = 50 (E (1 - E/n) = 25): O = 61 is 10.5 after the
 * correction, so V = (10.5 / z)² - 25 gives that z. */
static void p_value_against_the_normal_table(void)
{
	struct stats_lift l;
	double z = 1.959964;
	stats_lift_of(100, 61, 50, (10.5 / z) * (10.5 / z) - 25, &l);
	CHECK(near(l.p_value, 0.05, 1e-6));
	stats_lift_of(100, 39, 50, (10.5 / z) * (10.5 / z) - 25, &l); /* the other side */
	CHECK(near(l.p_value, 0.05, 1e-6));
	z = 2.575829;
	stats_lift_of(100, 64, 50, (13.5 / z) * (13.5 / z) - 25, &l);
	CHECK(near(l.p_value, 0.01, 1e-6));
	/* Within 1/2 of E: no distance at all. */
	stats_lift_of(100, 50, 49.6, 1, &l);
	CHECK(l.p_value == 1);
	/* A denominator of 0: E = n, V = 0. */
	stats_lift_of(10, 10, 10, 0, &l);
	CHECK(l.p_value == 1 && l.lift == 1);
}

static void nothing_expected_and_nothing_kept(void)
{
	struct stats_lift l;
	stats_lift_of(12, 3, 0, 0, &l); /* E = 0: no lift, no interval; p = 1 */
	CHECK(isnan(l.lift) && isnan(l.ci_low) && isnan(l.ci_high) && l.p_value == 1);
	stats_lift_of(12, 0, 0, 0, &l);
	CHECK(isnan(l.lift) && isnan(l.ci_low) && isnan(l.ci_high) && l.p_value == 1);
	stats_lift_of(0, 0, 0, 0, &l); /* n = 0: nothing at all */
	CHECK(isnan(l.lift) && isnan(l.ci_low) && isnan(l.ci_high) && isnan(l.p_value));
	/* Out of range: O > n, E > n, V < 0, V infinite. */
	stats_lift_of(5, 6, 1, 0, &l);
	CHECK(isnan(l.p_value));
	stats_lift_of(5, 1, 6, 0, &l);
	CHECK(isnan(l.p_value));
	stats_lift_of(5, 1, 1, -1, &l);
	CHECK(isnan(l.p_value));
	stats_lift_of(5, 1, 1, INFINITY, &l);
	CHECK(isnan(l.p_value));
}

/* ---- Benjamini–Hochberg ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* q of the element at @i, by the text: sort, q_(i) = min over j ≥ i of
 * p_(j) k / j capped at 1, read at the (first) position of its value. */
static double bh_by_definition(const double *p, size_t k, size_t i)
{
	double *s = malloc(k * sizeof *s);
	if (s == NULL)
		abort();
	memcpy(s, p, k * sizeof *s);
	qsort(s, k, sizeof *s, cmp_double);
	size_t at = 0;
	while (s[at] != p[i])
		at++;
	double q = 1;
	for (size_t j = at; j < k; j++)
		q = fmin(q, s[j] * ((double)k / (double)(j + 1)));
	free(s);
	return q;
}

static void bh_matches_its_definition(void)
{
	int bad = 0;
	for (int family = 0; family < 300; family++) {
		size_t k = 1 + rnd() % 60;
		double p[60], q[60];
		for (size_t i = 0; i < k; i++) {
			p[i] = rnd() % 3 == 0 ? uniform() * 0.01 : uniform();
			if (i > 0 && rnd() % 5 == 0)
				p[i] = p[rnd() % i]; /* ties */
			if (rnd() % 20 == 0)
				p[i] = 1;
		}
		CHECK(stats_bh(p, k, q));
		for (size_t i = 0; i < k; i++) {
			double want = bh_by_definition(p, k, i);
			if (!near(q[i], want, 1e-15) || q[i] < p[i] || q[i] > 1)
				if (bad++ < 3)
					printf("  # k %zu p %.17g q %.17g want %.17g\n", k, p[i],
					       q[i], want);
		}
	}
	CHECK(bad == 0);
	/* Worked: p = 0.01, 0.04, 0.03, 0.5 (k = 4). Sorted 0.01, 0.03, 0.04,
	 * 0.5; p k / j = 0.04, 0.06, 0.0533, 0.5; running minimum from the
	 * top: 0.04, 0.0533, 0.0533, 0.5. In place. */
	double p[] = {0.01, 0.04, 0.03, 0.5};
	CHECK(stats_bh(p, 4, p));
	CHECK(near(p[0], 0.04, 1e-15) && near(p[1], 0.04 * 4 / 3, 1e-15) &&
	      near(p[2], 0.04 * 4 / 3, 1e-15) && near(p[3], 0.5, 1e-15));
	CHECK(stats_bh(NULL, 0, NULL));
}

/* st_judge makes the family of the rows with n ≥ min_sample only. */
static void the_family_is_the_rows_with_enough_exposures(void)
{
	struct st_row rows[3] = {
	    {.n = 40, .observed = 32, .expected = 16, .variance = 0.4},
	    {.n = 9, .observed = 9, .expected = 1, .variance = 0.1}, /* under 10 */
	    {.n = 40, .observed = 17, .expected = 16, .variance = 0.4},
	};
	struct st_judgement j[3];
	CHECK(st_judge(rows, 3, 10, j));
	double p[2] = {j[0].lift.p_value, j[2].lift.p_value};
	CHECK(stats_bh(p, 2, p));
	CHECK(j[0].q_value == p[0] && j[2].q_value == p[1] && isnan(j[1].q_value));
	CHECK(j[0].verdict == STATS_MOVES && j[1].verdict == STATS_INSUFFICIENT &&
	      j[2].verdict == STATS_INCONCLUSIVE);
	CHECK(!isnan(j[1].lift.p_value)); /* computed, just not judged */
}

/* ---- Verdicts ---- */

static void verdict_names(void)
{
	CHECK_STR(stats_verdict_name(STATS_UNUSED), "unused");
	CHECK_STR(stats_verdict_name(STATS_INSUFFICIENT), "insufficient_data");
	CHECK_STR(stats_verdict_name(STATS_MOVES), "moves_deals");
	CHECK_STR(stats_verdict_name(STATS_HURTS), "hurts");
	CHECK_STR(stats_verdict_name(STATS_NO_EFFECT), "no_effect");
	CHECK_STR(stats_verdict_name(STATS_INCONCLUSIVE), "inconclusive");
	CHECK_STR(stats_verdict_name((enum stats_verdict)99), "unknown");
}

static enum stats_verdict judge(long o, double e, double q, double low, double high)
{
	struct stats_lift l = {o / e, low, high, q};
	return stats_verdict_of(true, 100, 10, o, e, q, &l);
}

static void verdict_branches(void)
{
	struct stats_lift l = {1, 0.9, 1.1, 0.5};
	CHECK(stats_verdict_of(false, 100, 10, 50, 50, 0.5, &l) == STATS_UNUSED);
	CHECK(stats_verdict_of(true, 9, 10, 5, 5, NAN, &l) == STATS_INSUFFICIENT);
	CHECK(stats_verdict_of(true, 10, 10, 5, 5, 0.5, &l) == STATS_NO_EFFECT);
	/* q at 0.10 is a finding, just above is not. */
	CHECK(judge(60, 50, 0.10, 1.01, 1.4) == STATS_MOVES);
	CHECK(judge(40, 50, 0.10, 0.6, 0.99) == STATS_HURTS);
	CHECK(judge(60, 50, nextafter(0.10, 1), 1.01, 1.4) == STATS_INCONCLUSIVE);
	/* A finding wins over the margins; O = E is never one. */
	CHECK(judge(52, 50, 0.01, 0.9, 1.2) == STATS_MOVES);
	CHECK(judge(50, 50, 0.01, 0.9, 1.1) == STATS_NO_EFFECT);
	/* The margins [0.8, 1.25], edges included. */
	CHECK(judge(50, 49, 0.5, 0.8, 1.25) == STATS_NO_EFFECT);
	CHECK(judge(50, 49, 0.5, nextafter(0.8, 0), 1.2) == STATS_INCONCLUSIVE);
	CHECK(judge(50, 49, 0.5, 0.9, nextafter(1.25, 2)) == STATS_INCONCLUSIVE);
	CHECK(judge(50, 49, 0.5, 0.5, 2) == STATS_INCONCLUSIVE);
	/* E = 0: no interval, never no_effect. */
	struct stats_lift none = {NAN, NAN, NAN, 1};
	CHECK(stats_verdict_of(true, 20, 10, 3, 0, 1, &none) == STATS_INCONCLUSIVE);
	CHECK(stats_verdict_of(true, 20, 10, 0, 0, 1, &none) == STATS_INCONCLUSIVE);
}

static void median_odd_even_empty(void)
{
	double odd[] = {5, 1, 3};
	CHECK(stats_median(odd, 3) == 3);
	double even[] = {4, 1, 3, 2};
	CHECK(stats_median(even, 4) == 2.5);
	CHECK(isnan(stats_median(NULL, 0)));
	double big[] = {1e308, 1e308};
	CHECK(stats_median(big, 2) == 1e308);
}

int main(void)
{
	TEST(interval_matches_its_inequality);
	TEST(interval_worked_case);
	TEST(p_value_against_the_normal_table);
	TEST(nothing_expected_and_nothing_kept);
	TEST(bh_matches_its_definition);
	TEST(the_family_is_the_rows_with_enough_exposures);
	TEST(verdict_names);
	TEST(verdict_branches);
	TEST(median_odd_even_empty);
	return HARNESS_EXIT();
}
