/* Statistics for the next-stage test (contracts in stats.h).
 *
 * The interval is the set of θ where the squared, continuity-corrected
 * distance between O and θE is within z² of its variance: the exposures'
 * own binomial variance θE (1 - θE/n) plus the controls' θ² V. Each side
 * is a quadratic inequality A θ² - B θ + C ≤ 0 in θ (c = O ∓ 1/2); its
 * lower root is written 2C / (B + D) so that it loses no digits when A is
 * small and stays right when A ≤ 0. Past θ = n/E the exposures' variance
 * would be negative: that is the interval's end. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

/* The roots' common part for c: B and D, with A. */
static void quadratic(double n, double e, double v, double c, double *a, double *b, double *d)
{
	double z2 = STATS_Z * STATS_Z;
	*a = e * e * (1 + z2 / n) - z2 * v;
	*b = e * (2 * c + z2);
	*d = sqrt(fmax(0, *b * *b - 4 * *a * c * c));
}

void stats_lift_of(long n, long observed, double expected, double variance, struct stats_lift *out)
{
	out->lift = out->ci_low = out->ci_high = out->p_value = NAN;
	double nn = (double)n, o = (double)observed, e = expected, v = variance;
	if (n <= 0 || observed < 0 || observed > n || !(e >= 0 && e <= nn) || !(v >= 0) || isinf(v))
		return;
	double sd = sqrt(e * (1 - e / nn) + v);
	double dist = fmax(0, fabs(o - e) - 0.5);
	/* 2 (1 - Φ(x)) = erfc(x / √2) */
	out->p_value = sd > 0 ? erfc(dist / sd / sqrt(2)) : 1;
	if (e == 0)
		return;
	out->lift = o / e;
	double a, b, d;
	if (observed == 0) {
		out->ci_low = 0;
	} else {
		double c = o - 0.5;
		quadratic(nn, e, v, c, &a, &b, &d);
		out->ci_low = 2 * c * c / (b + d);
	}
	double top = nn / e;
	quadratic(nn, e, v, o + 0.5, &a, &b, &d);
	out->ci_high = a <= 0 || observed == n ? top : fmin(top, (b + d) / (2 * a));
}

struct ranked {
	double p;
	size_t i;
};

static int by_p(const void *x, const void *y)
{
	double a = ((const struct ranked *)x)->p, b = ((const struct ranked *)y)->p;
	return (a > b) - (a < b);
}

bool stats_bh(const double *p, size_t k, double *q)
{
	struct ranked *r = malloc((k + 1) * sizeof *r);
	if (r == NULL)
		return false;
	for (size_t i = 0; i < k; i++)
		r[i] = (struct ranked){p[i], i};
	qsort(r, k, sizeof *r, by_p);
	/* From the largest p down, the running minimum of p_(j) k / j. Equal
	 * p-values end with the q of the last of them: the same for all. */
	double run = 1;
	for (size_t j = k; j > 0; j--) {
		run = fmin(run, r[j - 1].p * ((double)k / (double)j));
		r[j - 1].p = run;
	}
	for (size_t j = 0; j < k; j++)
		q[r[j].i] = r[j].p;
	free(r);
	return true;
}

const char *stats_verdict_name(enum stats_verdict v)
{
	switch (v) {
	case STATS_UNUSED:
		return "unused";
	case STATS_INSUFFICIENT:
		return "insufficient_data";
	case STATS_MOVES:
		return "moves_deals";
	case STATS_HURTS:
		return "hurts";
	case STATS_NO_EFFECT:
		return "no_effect";
	case STATS_INCONCLUSIVE:
		return "inconclusive";
	}
	return "unknown";
}

enum stats_verdict stats_verdict_of(bool shared, long n, long min_sample, long observed,
				    double expected, double q, const struct stats_lift *l)
{
	if (!shared)
		return STATS_UNUSED;
	if (n < min_sample)
		return STATS_INSUFFICIENT;
	if (q <= STATS_Q_MAX && (double)observed > expected)
		return STATS_MOVES;
	if (q <= STATS_Q_MAX && (double)observed < expected)
		return STATS_HURTS;
	if (l->ci_low >= STATS_EQUIV_LOW && l->ci_high <= STATS_EQUIV_HIGH)
		return STATS_NO_EFFECT;
	return STATS_INCONCLUSIVE;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	if (n % 2)
		return v[n / 2];
	return v[n / 2 - 1] / 2 + v[n / 2] / 2;
}
