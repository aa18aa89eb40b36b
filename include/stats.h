/* Statistics for the next-stage test (README, Analytics: "The next-stage
 * test", rules 5 to 7): the continuity-corrected Wilson interval of a lift
 * with the controls' own noise, its p-value, the Benjamini–Hochberg
 * q-values of a family of p-values, the verdict, and a median. Pure C
 * (libm only), no state: every function is safe to call from any thread. */
#ifndef NS_STATS_H
#define NS_STATS_H
#include <stdbool.h>
#include <stddef.h>

#define STATS_Z		 1.959964 /* the 95% two-sided normal quantile, as the rules give it */
#define STATS_Q_MAX	 0.10	  /* a q-value at or below this is a finding */
#define STATS_EQUIV_LOW	 0.8	  /* the equivalence margins of no_effect */
#define STATS_EQUIV_HIGH 1.25

/* A lift O/E, its 95% interval and its two-sided p-value against "no
 * effect". NAN stands for the API's null. */
struct stats_lift {
	double lift, ci_low, ci_high, p_value;
};

/* The lift of @observed (O) successes among @n exposures against
 * @expected (E) of them, the controls' sampling variance of E being
 * @variance (V = b (1 - b) Σ 1/m). The interval is every θ with
 *   max(0, |O - θE| - 1/2)² ≤ z² (θE (1 - θE/n) + θ² V),
 * in closed form: with A = E² (1 + z²/n) - z² V, B = E (2c + z²), C = c²,
 * D = √(B² - 4AC): ci_low = 2C / (B + D) with c = O - 1/2 (0 when O = 0),
 * ci_high = min(n/E, (B + D) / 2A) with c = O + 1/2, and n/E when A ≤ 0
 * or O = n. p_value = 2 (1 - Φ(max(0, |O - E| - 1/2) / √(E (1 - E/n) + V))),
 * 1 when that denominator is 0.
 * When n = 0 all four are NAN; when E = 0 (and n > 0) lift and interval
 * are NAN and p_value is 1. Input outside 0 ≤ O ≤ n, 0 ≤ E ≤ n, V ≥ 0
 * (or not finite) gives four NANs. Can't fail otherwise. */
void stats_lift_of(long n, long observed, double expected, double variance, struct stats_lift *out);

/* The Benjamini–Hochberg q-values of the @k p-values @p into @q (which may
 * be @p itself): with the p-values in ascending order,
 * q_(i) = min over j ≥ i of p_(j) k / j, capped at 1. Ties get the same
 * q-value whatever their order. NaN p-values must not be given. Returns
 * false, @q untouched, when out of memory. */
bool stats_bh(const double *p, size_t k, double *q);

enum stats_verdict {
	STATS_UNUSED,	    /* the asset was never shared */
	STATS_INSUFFICIENT, /* fewer exposures than the minimum sample */
	STATS_MOVES,	    /* q ≤ 0.10 and O > E: deals that got it advance more */
	STATS_HURTS,	    /* q ≤ 0.10 and O < E: deals that got it advance less */
	STATS_NO_EFFECT,    /* the interval lies inside [0.8, 1.25] */
	STATS_INCONCLUSIVE, /* none of these: the data cannot tell yet */
};

/* The stable name used in the API: "unused", "insufficient_data",
 * "moves_deals", "hurts", "no_effect", "inconclusive"; "unknown" for a
 * value outside the enum. The string is static. */
const char *stats_verdict_name(enum stats_verdict v);

/* The verdict (rule 7), the first that applies: unused when !@shared;
 * insufficient_data when @n < @min_sample; moves_deals when @q ≤ 0.10 and
 * @observed > @expected; hurts when @q ≤ 0.10 and @observed < @expected;
 * no_effect when l->ci_low ≥ 0.8 and l->ci_high ≤ 1.25 (NaN bounds never
 * are); inconclusive otherwise. @l is read only past insufficient_data.
 * Can't fail. */
enum stats_verdict stats_verdict_of(bool shared, long n, long min_sample, long observed,
				    double expected, double q, const struct stats_lift *l);

/* The median of the @n values in @v, which it sorts in place (ascending):
 * the middle value for odd n, the mean of the two middle ones for even n,
 * NAN for n = 0 (v may then be NULL). The values must not be NaN (their
 * order, hence the result, would be unspecified). Can't fail. */
double stats_median(double *v, size_t n);

#endif
