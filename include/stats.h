/* Statistics for the next-stage test (README, Analytics: "The next-stage test"):
 * the chi-square quantile behind the exact Poisson interval of a lift, the
 * verdict drawn from that interval, and a median. Pure C (libm only), no
 * state, no allocation: every function is safe to call from any thread. */
#ifndef NS_STATS_H
#define NS_STATS_H
#include <stddef.h>

/* The regularized lower incomplete gamma function
 * P(a, x) = (1/Γ(a)) ∫_0^x t^(a-1) e^(-t) dt, for a > 0 and x ≥ 0
 * (x = +inf gives 1). Series for x < a + 1, continued fraction beyond,
 * the prefactor through Stirling's series for large a so that it keeps
 * its digits. Relative error about 1e-14 down to P = 1e-300 (smaller
 * values may come back as 0); cost grows as sqrt(a), about 5 µs at
 * a = 1e6. Returns NAN when a is not a finite positive number, when x is
 * negative or NaN, or when the expansions do not converge, which happens
 * only for a beyond about 1e15. */
double stats_gamma_p(double a, double x);

/* The p-quantile of the chi-square distribution with k degrees of freedom
 * (k any positive real): the x with P(k/2, x/2) = p, for 0 < p < 1.
 * Found by Halley steps on P (on 1 - P when p > 1/2, so that p near 1
 * loses nothing), started from Wilson–Hilferty or a small-x bound and
 * kept inside a bisection bracket. Relative error ≤ 1e-9, about 1e-14 in
 * practice (tested against references for k from 0.5 to 2e6 and p from
 * 1e-10 to 1 - 1e-10, by round trip up to k = 1e11). A quantile below
 * DBL_MIN (tiny k or p) has fewer digits, and one below the smallest
 * subnormal comes back as 0. Cost grows as sqrt(k): under 1 µs for small
 * k, about 20 µs at k = 2e6. Returns NAN when p is not in (0, 1) (0 and
 * 1 included: their quantiles, 0 and +inf, are left to the caller), when
 * k is not a finite positive number, or if the iteration fails to
 * converge (not seen for k ≤ 1e15). */
double stats_chi2_inv(double p, double k);

/* A lift and its 95% interval. */
struct stats_lift {
	double lift, ci_low, ci_high;
};

/* The lift O/E of @observed successes over @expected ones, with the exact
 * Poisson 95% interval of O divided by E:
 *   ci_low  = chi2inv(0.025, 2O) / 2 / E   (0 when O = 0)
 *   ci_high = chi2inv(0.975, 2O + 2) / 2 / E.
 * When E = 0 the values are the mathematical limits: lift = +inf when
 * O > 0 and NAN when O = 0; ci_low = +inf when O > 0 and 0 when O = 0;
 * ci_high = +inf. (JSON has neither; the caller prints them as null.)
 * When O < 0 or E is negative, infinite or NaN all three are NAN.
 * The bounds are as accurate as stats_chi2_inv; about 40 µs at O = 1e6.
 * Can't fail otherwise. */
void stats_poisson_lift(long observed, double expected, struct stats_lift *out);

enum stats_verdict {
	STATS_UNUSED,	    /* the asset was never shared */
	STATS_INSUFFICIENT, /* fewer exposures than the minimum sample */
	STATS_MOVES,	    /* ci_low > 1: deals that got it advance more */
	STATS_NO_EFFECT,    /* the interval holds 1 (or is undefined) */
	STATS_HURTS,	    /* ci_high < 1: deals that got it advance less */
};

/* The stable name used in the API: "unused", "insufficient_data",
 * "moves_deals", "no_effect", "hurts"; "unknown" for a value outside the
 * enum. The string is static. */
const char *stats_verdict_name(enum stats_verdict v);

/* The verdict (README, the next-stage test, rule 6), in order: unused
 * when @shares (all shares of the asset, in any stage) is 0 or less;
 * insufficient_data when the @n kept exposures are fewer than
 * @min_sample; moves_deals when l->ci_low > 1; hurts when
 * l->ci_high < 1; no_effect otherwise (NaN bounds included). The
 * infinities of stats_poisson_lift for E = 0 fall out naturally: O > 0 is
 * moves_deals, O = 0 is no_effect. @l is read only for the last three
 * verdicts and must then point to the interval of those n exposures.
 * Can't fail. */
enum stats_verdict stats_verdict_of(long shares, long n, long min_sample,
				    const struct stats_lift *l);

/* The median of the @n values in @v, which it sorts in place (ascending):
 * the middle value for odd n, the mean of the two middle ones for even n,
 * NAN for n = 0 (v may then be NULL). The values must not be NaN (their
 * order, hence the result, would be unspecified). Can't fail. */
double stats_median(double *v, size_t n);

#endif
