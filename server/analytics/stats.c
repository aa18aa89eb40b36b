/* Statistics for the next-stage test (contracts in stats.h).
 *
 * The chi-square quantile is the inverse of the regularized incomplete
 * gamma function: chi2inv(p, k) = 2x where P(k/2, x) = p. P and its
 * complement Q are computed together (gamma_pq): the series converges fast
 * for x < a + 1 and gives P; the continued fraction converges fast beyond
 * and gives Q; the other is one minus it. That one is then rarely small
 * (below 0.01 only for a < 0.1), so it keeps nearly all its digits. Both
 * are multiplied by the prefactor
 * x^a e^-x / Γ(a), whose logarithm for large a is a difference of numbers
 * of size a ln a: there it is rewritten with Stirling's series so that the
 * big terms cancel exactly (log_prefactor).
 *
 * The inverse (gamma_p_inv) solves P(a, x) = p for p ≤ 1/2 and
 * Q(a, x) = 1 - p otherwise (1 - p is exact there, and Q is what is
 * precise), by Halley steps whose derivatives are free: P' is the density,
 * e^prefactor / x, and P''/P' = (a - 1)/x - 1. Every evaluation narrows a
 * bracket [lo, hi] around the root; a step leaving it, or not shrinking
 * fast enough, is replaced by a bisection, so a poor start costs
 * iterations but never diverges. The start is Wilson–Hilferty for a > 1,
 * which is within 1e-3 or so for large a, where evaluations cost most. */
#include "stats.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define EPS    (DBL_EPSILON / 2)
#define TINY   1e-300
#define MAX_IT 300

/* Terms the series and the continued fraction may take: both need about
 * 9 sqrt(a) near x = a, where they are slowest. */
static long series_cap(double a)
{
	return 1000 + (long)(20 * sqrt(a));
}

/* ln Γ(a) for a > 0. lgamma_r: plain lgamma writes the global signgam,
 * a data race between threads. */
static double log_gamma(double a)
{
	int sign;
	return lgamma_r(a, &sign);
}

/* u - ln(1 + u) for u > -1, without the cancellation of the two near 0:
 * there the series u^2/2 - u^3/3 + u^4/4 - ... */
static double u_minus_log1p(double u)
{
	if (fabs(u) > 0.1)
		return u - log1p(u);
	double term = -u, sum = 0;
	for (int n = 2; n < 60; n++) {
		term *= -u;
		double add = term / n;
		sum += add;
		if (fabs(add) < EPS * fabs(sum))
			break;
	}
	return sum;
}

/* ln(x^a e^-x / Γ(a)), for a > 0 and x > 0. For a ≥ 15, with
 * ln Γ(a) = (a - 1/2) ln a - a + ln(2π)/2 + s(a) (s: Stirling's series),
 * it is -a (u - ln(1 + u)) + ln(a / 2π)/2 - s(a) with u = (x - a)/a. */
static double log_prefactor(double a, double x)
{
	if (a < 15)
		return a * log(x) - x - log_gamma(a);
	double r = 1 / (a * a);
	double s =
	    (1.0 / 12 - r * (1.0 / 360 - r * (1.0 / 1260 - r * (1.0 / 1680 - r / 1188)))) / a;
	return -a * u_minus_log1p((x - a) / a) + 0.5 * log(a / (2 * M_PI)) - s;
}

/* P(a, x) and Q(a, x) for a > 0 finite, x > 0 finite; *lpre gets
 * log_prefactor(a, x). Returns 0, or -1 if the expansion did not converge. */
static int gamma_pq(double a, double x, double *p, double *q, double *lpre)
{
	long cap = series_cap(a);
	*lpre = log_prefactor(a, x);
	if (x < a + 1) {
		/* P = e^lpre Σ_{n≥0} x^n / (a (a+1) ... (a+n)) */
		double ap = a, del = 1 / a, sum = del;
		long n;
		for (n = 0; n < cap; n++) {
			ap += 1;
			del *= x / ap;
			sum += del;
			if (del < sum * EPS)
				break;
		}
		if (n == cap)
			return -1;
		*p = sum * exp(*lpre);
		*q = 1 - *p;
		return 0;
	}
	/* Q = e^lpre / (x + 1 - a - 1(1 - a)/(x + 3 - a - 2(2 - a)/(x + 5 - a - ...))),
	 * evaluated by the modified Lentz method. */
	double b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
	long i;
	for (i = 1; i <= cap; i++) {
		double an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < TINY)
			d = TINY;
		c = b + an / c;
		if (fabs(c) < TINY)
			c = TINY;
		d = 1 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < EPS)
			break;
	}
	if (i > cap)
		return -1;
	*q = h * exp(*lpre);
	*p = 1 - *q;
	return 0;
}

double stats_gamma_p(double a, double x)
{
	double p, q, lpre;
	if (!(a > 0) || isinf(a) || !(x >= 0))
		return NAN;
	if (x == 0)
		return 0;
	if (isinf(x))
		return 1;
	return gamma_pq(a, x, &p, &q, &lpre) == 0 ? p : NAN;
}

/* The standard normal quantile of p (q = 1 - p, exact when p > 1/2), to
 * about 5e-4 (Abramowitz & Stegun 26.2.23): enough for a starting point. */
static double normal_quantile_rough(double p, double q)
{
	double t = sqrt(-2 * log(p < 0.5 ? p : q));
	double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
			   (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
	return p < 0.5 ? -z : z;
}

/* A first guess at the x with P(a, x) = p, given a lower bound @lo > 0. */
static double gamma_p_inv_start(double a, double p, double q, double lo)
{
	if (a > 1) {
		/* Wilson–Hilferty: (x/a)^(1/3) is nearly normal. Far in the
		 * lower tail it goes wrong, and lo is the better guess. */
		double s = 1 / (9 * a);
		double w = 1 - s + normal_quantile_rough(p, q) * sqrt(s);
		double wh = w > 0 ? a * w * w * w : 0;
		return p > 0.5 ? wh : fmax(wh, lo);
	}
	/* Small a: the expansion behind lo below t, the exponential tail
	 * above (t and both shapes from Numerical Recipes, 3rd ed., 6.2.1). */
	double t = 1 - a * (0.253 + a * 0.12);
	if (p < t)
		return fmax(lo, pow(p / t, 1 / a));
	return 1 - log(q / (1 - t));
}

/* The next point to try when a Halley step is not trusted: the middle of
 * [lo, hi], geometric when it spans a factor of 2 or more (the root may be
 * 1e-300), or a jump by 4 while the bracket is still open above. */
static double bisect(double lo, double hi)
{
	if (isinf(hi))
		return 4 * lo;
	return hi > 2 * lo ? sqrt(lo) * sqrt(hi) : lo + (hi - lo) / 2;
}

/* The root of P(a, x) = p (q = 1 - p), 0 if it is below the smallest
 * subnormal, or NAN if it is not found. A Halley step is taken when it
 * stays inside the bracket and is less than half the step before the last
 * one (the rule of Numerical Recipes' rtsafe), so the bracket at least
 * halves every two evaluations once it is closed. */
static double gamma_p_inv(double a, double p, double q)
{
	/* P(a, x) ≤ x^a / Γ(a + 1) (drop e^-t in the integral): where that
	 * bound is p is below the root, and within a factor e^(x/a) of it;
	 * so when the bound underflows, the root does too. */
	double log_lo = (log(p) + log_gamma(a + 1)) / a;
	if (log_lo < log(DBL_TRUE_MIN))
		return 0;
	int upper = p > 0.5;
	double lo = 0.999 * exp(log_lo), hi = INFINITY, last = INFINITY, before = INFINITY;
	double x = gamma_p_inv_start(a, p, q, lo);
	if (!(x >= lo) || isinf(x))
		x = lo;
	for (int it = 0; it < MAX_IT; it++) {
		double pp, qq, lpre;
		if (gamma_pq(a, x, &pp, &qq, &lpre) != 0)
			return NAN;
		double f = upper ? q - qq : pp - p; /* increasing in x */
		if (f == 0)
			return x;
		if (f < 0)
			lo = x;
		else
			hi = x;
		/* Halley: u = f / f', f''/f' = (a - 1)/x - 1. The correction
		 * is clamped to [-1, 1] so the step keeps the sign of u. */
		double u = f * x * exp(-lpre);
		double dx = u / (1 - 0.5 * fmax(-1, fmin(1, u * ((a - 1) / x - 1))));
		double next = x - dx;
		if (isfinite(dx) && fabs(dx) <= 1e-12 * x)
			return next;
		if (!(isfinite(dx) && next > lo && next < hi && fabs(dx) < before / 2))
			next = bisect(lo, hi);
		before = last;
		last = fabs(next - x);
		x = next;
		if (isfinite(hi) && hi - lo <= 4 * DBL_EPSILON * hi)
			return x;
	}
	return NAN;
}

double stats_chi2_inv(double p, double k)
{
	if (!(p > 0 && p < 1) || !(k > 0) || isinf(k))
		return NAN;
	return 2 * gamma_p_inv(k / 2, p, 1 - p);
}

void stats_poisson_lift(long observed, double expected, struct stats_lift *out)
{
	if (observed < 0 || !(expected >= 0) || isinf(expected)) {
		out->lift = out->ci_low = out->ci_high = NAN;
		return;
	}
	double o = (double)observed;
	double low = observed == 0 ? 0 : stats_chi2_inv(0.025, 2 * o) / 2;
	double high = stats_chi2_inv(0.975, 2 * o + 2) / 2;
	if (expected == 0) {
		/* The limits as E → 0+ (no division by zero: it is UB in ISO C
		 * without Annex F, and the cases read better spelled out). */
		out->lift = observed > 0 ? INFINITY : NAN;
		out->ci_low = observed > 0 ? INFINITY : 0;
		out->ci_high = INFINITY;
		return;
	}
	out->lift = o / expected;
	out->ci_low = low / expected;
	out->ci_high = high / expected;
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
	case STATS_NO_EFFECT:
		return "no_effect";
	case STATS_HURTS:
		return "hurts";
	}
	return "unknown";
}

enum stats_verdict stats_verdict_of(long shares, long n, long min_sample,
				    const struct stats_lift *l)
{
	if (shares <= 0)
		return STATS_UNUSED;
	if (n < min_sample)
		return STATS_INSUFFICIENT;
	if (l->ci_low > 1)
		return STATS_MOVES;
	if (l->ci_high < 1)
		return STATS_HURTS;
	return STATS_NO_EFFECT;
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
