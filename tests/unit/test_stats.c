/* Statistics of the next-stage test: chi-square quantiles against
 * high-precision references (the k and p of the Poisson interval for
 * O = 0, 1, 5, 50, 1000 and 1e6, both tails at 1e-10, non-integer k), a
 * round trip through the incomplete gamma function, invalid input; the
 * Poisson interval of a lift, E = 0 included; every verdict; the median.
 *
 * Reference values: mpmath 1.3.0 at 40 significant digits. A quantile is
 * the x where gammainc(k/2, 0, x/2, regularized=True) equals p (for
 * p > 1/2: where gammainc(k/2, x/2, inf, regularized=True) equals 1 - p),
 * p being the exact value of the double literal; the root bracketed by
 * stepping from k/2 by sqrt(k/2) + 1, checked to change sign, then
 * bisected to 32 digits; printed to 17. P(a, x) values are
 * gammainc(a, 0, x, regularized=True) printed to 17 digits. */
#include "harness.h"
#include "stats.h"

#include <float.h>
#include <math.h>

struct quantile {
	double p, k, x;
};

/* chi2inv(p, k) as used by stats_poisson_lift: p = 0.025 at k = 2O and
 * p = 0.975 at k = 2O + 2, for O = 0 (only the latter), 1, 5, 50, 1000, 1e6. */
static const struct quantile poisson_quantiles[] = {
    {0.975, 2, 7.3777589082278708},	  {0.025, 2, 0.050635615968579754},
    {0.975, 4, 11.143286781877795},	  {0.025, 10, 3.2469727802368411},
    {0.975, 12, 23.336664158645336},	  {0.025, 100, 74.221927474923726},
    {0.975, 102, 131.83753332867363},	  {0.025, 2000, 1877.9460368153904},
    {0.975, 2002, 2127.9042720326039},	  {0.025, 2e6, 1996081.9666805878},
    {0.975, 2e6 + 2, 2003923.8238908644},
};

/* Both tails at 1e-10 (the upper one solved through 1 - P). */
static const struct quantile tail_quantiles[] = {
    {1e-10, 0.5, 1.3499395786223462e-40}, {1 - 1e-10, 0.5, 38.949754531329191},
    {1e-10, 1, 1.5707963267948967e-20},	  {1 - 1e-10, 1, 41.821456202982789},
    {1e-10, 3.7, 1.0639328667515666e-5},  {1 - 1e-10, 3.7, 51.75868619887729},
    {1e-10, 2, 2.0000000001000001e-10},	  {1 - 1e-10, 2, 46.051701694400179},
    {1e-10, 12, 0.13020333188683157},	  {1 - 1e-10, 12, 72.694393862673719},
    {1e-10, 100, 34.399823909124818},	  {1 - 1e-10, 100, 217.7142028412047},
    {1e-10, 2000, 1623.5975254351216},	  {1 - 1e-10, 2000, 2428.9991117337558},
    {1e-10, 2e6, 1987303.6174603994},	  {1 - 1e-10, 2e6, 2012749.0046992685},
};

/* Non-integer and odd k, the median, the other sides of the interval. */
static const struct quantile other_quantiles[] = {
    {0.025, 0.5, 5.2732025912599936e-7}, {0.5, 0.5, 0.087347604705746821},
    {0.975, 0.5, 3.4332352999607744},	 {0.025, 1, 9.8206911717525602e-4},
    {0.5, 1, 0.45493642311957275},	 {0.975, 1, 5.0238861873148874},
    {0.025, 3.7, 0.3945768753415167},	 {0.5, 3.7, 3.058889359041863},
    {0.975, 3.7, 10.618055248352459},	 {0.5, 2, 1.3862943611198906},
    {0.025, 12, 4.4037885069817017},	 {0.5, 12, 11.34032237742414},
    {0.5, 100, 99.334129235988456},	 {0.975, 100, 129.56119718583659},
    {0.5, 2000, 1999.3333728539304},	 {0.975, 2000, 2125.8423024497755},
    {0.5, 2e6, 1999999.3333333728},	 {0.975, 2e6, 2003921.8219309007},
};

/* The contract of stats_chi2_inv (stats.h); observed errors are ~1e-15. */
#define QUANTILE_TOL 1e-9

static double worst_rel_err;

static double rel_err(double got, double want)
{
	return fabs(got - want) / fabs(want);
}

static void check_quantiles(const struct quantile *q, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double x = stats_chi2_inv(q[i].p, q[i].k);
		double e = rel_err(x, q[i].x);
		if (!(e <= QUANTILE_TOL))
			printf("  # chi2inv(%.17g, %.17g) = %.17g, want %.17g (rel. error %.3g)\n",
			       q[i].p, q[i].k, x, q[i].x, e);
		CHECK(e <= QUANTILE_TOL);
		if (e > worst_rel_err)
			worst_rel_err = e;
	}
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void chi2_quantiles_of_the_poisson_interval(void)
{
	check_quantiles(poisson_quantiles, COUNT(poisson_quantiles));
}

static void chi2_quantiles_in_both_tails(void)
{
	check_quantiles(tail_quantiles, COUNT(tail_quantiles));
}

static void chi2_quantiles_for_non_integer_and_odd_k(void)
{
	check_quantiles(other_quantiles, COUNT(other_quantiles));
	printf("# max relative error of stats_chi2_inv vs mpmath: %.3g\n", worst_rel_err);
}

/* gamma_p(k/2, chi2inv(p, k)/2) gives p back, to the accuracy x allows:
 * P moves by its density times the rounding of x, hence the absolute term. */
static void chi2_round_trip(void)
{
	static const double ks[] = {0.5, 1, 2, 3.7, 7, 10, 33.3, 100, 1e3, 1e4, 1e5, 2e6 + 2};
	static const double ps[] = {1e-10, 1e-6, 0.001, 0.025, 0.1,	 0.3,	   0.5,
				    0.7,   0.9,	 0.975, 0.999, 1 - 1e-6, 1 - 1e-10};
	for (size_t i = 0; i < COUNT(ks); i++)
		for (size_t j = 0; j < COUNT(ps); j++) {
			double p = ps[j], x = stats_chi2_inv(p, ks[i]);
			double back = stats_gamma_p(ks[i] / 2, x / 2);
			double tol = 1e-9 * fmin(p, 1 - p) + 1e-14;
			if (!(fabs(back - p) <= tol))
				printf("  # k %g p %.17g: x %.17g gives back %.17g\n", ks[i], p, x,
				       back);
			CHECK(fabs(back - p) <= tol);
		}
}

static void chi2_quantile_rises_with_p_and_k(void)
{
	double prev = 0;
	for (double p = 0.01; p < 1; p += 0.01) {
		double x = stats_chi2_inv(p, 7.5);
		CHECK(x > prev);
		prev = x;
	}
	prev = 0;
	for (long o = 0; o <= 200; o++) {
		double x = stats_chi2_inv(0.975, 2.0 * o + 2);
		CHECK(x > prev);
		prev = x;
	}
}

/* A quantile below the smallest subnormal (tiny k) is 0, as the header says. */
static void chi2_quantile_underflows_to_zero(void)
{
	CHECK(stats_chi2_inv(0.5, 0.001) == 0);
	CHECK(stats_chi2_inv(0.9, 1e-300) == 0);
	double x = stats_chi2_inv(0.999, 0.001); /* most of the mass is at 0, not all */
	CHECK(x > 0.1 && x < 0.2);
	CHECK(fabs(stats_gamma_p(0.0005, x / 2) - 0.999) < 1e-12);
}

static void chi2_invalid_input_is_nan(void)
{
	CHECK(isnan(stats_chi2_inv(0, 2)));
	CHECK(isnan(stats_chi2_inv(1, 2)));
	CHECK(isnan(stats_chi2_inv(-0.5, 2)));
	CHECK(isnan(stats_chi2_inv(1.5, 2)));
	CHECK(isnan(stats_chi2_inv(NAN, 2)));
	CHECK(isnan(stats_chi2_inv(0.5, 0)));
	CHECK(isnan(stats_chi2_inv(0.5, -2)));
	CHECK(isnan(stats_chi2_inv(0.5, NAN)));
	CHECK(isnan(stats_chi2_inv(0.5, INFINITY)));
}

static void gamma_p_matches_references(void)
{
	static const struct {
		double a, x, p;
	} refs[] = {
	    {0.5, 0.3, 0.56142197391900014},	 {1, 2.5, 0.9179150013761012},
	    {2.5, 0.01, 2.9876015319065938e-6},	 {5, 5, 0.55950671493478759},
	    {0.05, 1e-6, 0.51482795452517817},	 {10, 30, 0.99999287824913718},
	    {500, 480, 0.1862819731903246},	 {500, 500, 0.50594714617076036},
	    {1e6, 1e6, 0.50013298076087259},	 {1e6, 998000, 0.022696114006736803},
	    {1e6, 1003000, 0.99863825935378241},
	};
	for (size_t i = 0; i < COUNT(refs); i++)
		CHECK(rel_err(stats_gamma_p(refs[i].a, refs[i].x), refs[i].p) < 1e-12);
	/* Closed forms: P(1, x) = 1 - e^-x, P(1/2, x) = erf(sqrt x). */
	for (double x = 0.01; x < 40; x *= 1.7) {
		CHECK(fabs(stats_gamma_p(1, x) + expm1(-x)) < 1e-14);
		CHECK(fabs(stats_gamma_p(0.5, x) - erf(sqrt(x))) < 1e-14);
	}
}

static void gamma_p_edges_and_invalid_input(void)
{
	CHECK(stats_gamma_p(3, 0) == 0);
	CHECK(stats_gamma_p(3, INFINITY) == 1);
	CHECK(stats_gamma_p(3, 1e6) == 1);
	CHECK(stats_gamma_p(300, 1e-3) == 0); /* below 1e-300: underflows */
	CHECK(isnan(stats_gamma_p(0, 1)));
	CHECK(isnan(stats_gamma_p(-1, 1)));
	CHECK(isnan(stats_gamma_p(NAN, 1)));
	CHECK(isnan(stats_gamma_p(INFINITY, 1)));
	CHECK(isnan(stats_gamma_p(1, -1)));
	CHECK(isnan(stats_gamma_p(1, NAN)));
}

static int close_to(double got, double want)
{
	return rel_err(got, want) < 1e-9;
}

/* Half the quantiles: 3.6888794541139354 = chi2inv(0.975, 2)/2,
 * 0.025317807984289877 = chi2inv(0.025, 2)/2, 5.5716433909388975 =
 * chi2inv(0.975, 4)/2, 74.221927474923726/40 and 131.83753332867363/40
 * (mpmath, as above). */
static void poisson_lift_known_cases(void)
{
	struct stats_lift l;
	stats_poisson_lift(0, 2.5, &l);
	CHECK(l.lift == 0);
	CHECK(l.ci_low == 0);
	CHECK(close_to(l.ci_high, 3.6888794541139354 / 2.5));

	stats_poisson_lift(1, 1, &l);
	CHECK(l.lift == 1);
	CHECK(close_to(l.ci_low, 0.025317807984289877));
	CHECK(close_to(l.ci_high, 5.5716433909388975));
	CHECK(fabs(l.ci_low - 0.0253178) < 1e-7 && fabs(l.ci_high - 5.5716434) < 1e-7);

	stats_poisson_lift(50, 20, &l);
	CHECK(l.lift == 2.5);
	CHECK(close_to(l.ci_low, 1.8555481868730932));
	CHECK(close_to(l.ci_high, 3.2959383332168407));

	stats_poisson_lift(1000000, 1000000, &l); /* a narrow interval around 1 */
	CHECK(l.lift == 1);
	CHECK(close_to(l.ci_low, 1996081.9666805878 / 2e6));
	CHECK(close_to(l.ci_high, 2003923.8238908644 / 2e6));
}

static void poisson_lift_with_nothing_expected(void)
{
	struct stats_lift l;
	stats_poisson_lift(3, 0, &l);
	CHECK(isinf(l.lift) && l.lift > 0);
	CHECK(isinf(l.ci_low) && l.ci_low > 0);
	CHECK(isinf(l.ci_high) && l.ci_high > 0);

	stats_poisson_lift(0, 0, &l);
	CHECK(isnan(l.lift));
	CHECK(l.ci_low == 0);
	CHECK(isinf(l.ci_high) && l.ci_high > 0);
}

static void poisson_lift_invalid_input_is_nan(void)
{
	static const struct {
		long o;
		double e;
	} bad[] = {{-1, 1}, {1, -1}, {1, NAN}, {1, INFINITY}, {0, -0.5}};
	for (size_t i = 0; i < COUNT(bad); i++) {
		struct stats_lift l;
		stats_poisson_lift(bad[i].o, bad[i].e, &l);
		CHECK(isnan(l.lift) && isnan(l.ci_low) && isnan(l.ci_high));
	}
}

static void verdict_names(void)
{
	CHECK_STR(stats_verdict_name(STATS_UNUSED), "unused");
	CHECK_STR(stats_verdict_name(STATS_INSUFFICIENT), "insufficient_data");
	CHECK_STR(stats_verdict_name(STATS_MOVES), "moves_deals");
	CHECK_STR(stats_verdict_name(STATS_NO_EFFECT), "no_effect");
	CHECK_STR(stats_verdict_name(STATS_HURTS), "hurts");
	CHECK_STR(stats_verdict_name((enum stats_verdict)5), "unknown");
}

static void verdict_branches(void)
{
	struct stats_lift moves = {1.8, 1.2, 2.6}, hurts = {0.4, 0.2, 0.8}, none = {1.1, 0.7, 1.6};
	/* Unused and insufficient are decided before the interval is read. */
	CHECK(stats_verdict_of(0, 0, 10, NULL) == STATS_UNUSED);
	CHECK(stats_verdict_of(0, 50, 10, &moves) == STATS_UNUSED);
	CHECK(stats_verdict_of(4, 9, 10, NULL) == STATS_INSUFFICIENT);
	CHECK(stats_verdict_of(4, 0, 10, &moves) == STATS_INSUFFICIENT);
	CHECK(stats_verdict_of(4, 10, 10, &moves) == STATS_MOVES);
	CHECK(stats_verdict_of(4, 10, 10, &hurts) == STATS_HURTS);
	CHECK(stats_verdict_of(4, 10, 10, &none) == STATS_NO_EFFECT);
	/* The bounds are strict: an interval touching 1 holds it. */
	struct stats_lift low_at_1 = {1.5, 1, 2}, high_at_1 = {0.5, 0.2, 1};
	CHECK(stats_verdict_of(4, 10, 10, &low_at_1) == STATS_NO_EFFECT);
	CHECK(stats_verdict_of(4, 10, 10, &high_at_1) == STATS_NO_EFFECT);
	/* Through stats_poisson_lift: 30 advanced where 10 were expected;
	 * 2 where 12 were; 11 where 10 were. */
	struct stats_lift l;
	stats_poisson_lift(30, 10, &l);
	CHECK(stats_verdict_of(40, 40, 10, &l) == STATS_MOVES);
	stats_poisson_lift(2, 12, &l);
	CHECK(stats_verdict_of(40, 40, 10, &l) == STATS_HURTS);
	stats_poisson_lift(11, 10, &l);
	CHECK(stats_verdict_of(40, 40, 10, &l) == STATS_NO_EFFECT);
}

/* E = 0: every control stayed put. Any advance then moves deals; none
 * says nothing. NaN bounds say nothing either. */
static void verdict_with_nothing_expected(void)
{
	struct stats_lift l;
	stats_poisson_lift(2, 0, &l);
	CHECK(stats_verdict_of(12, 12, 10, &l) == STATS_MOVES);
	stats_poisson_lift(0, 0, &l);
	CHECK(stats_verdict_of(12, 12, 10, &l) == STATS_NO_EFFECT);
	stats_poisson_lift(-1, 1, &l);
	CHECK(stats_verdict_of(12, 12, 10, &l) == STATS_NO_EFFECT);
}

static void median_odd_even_empty(void)
{
	double odd[] = {9, 1, 5, 3, 7};
	CHECK(stats_median(odd, 5) == 5);
	CHECK(odd[0] == 1 && odd[1] == 3 && odd[2] == 5 && odd[3] == 7 && odd[4] == 9);
	double even[] = {4, -2, 10, 1};
	CHECK(stats_median(even, 4) == 2.5);
	double one[] = {3.25};
	CHECK(stats_median(one, 1) == 3.25);
	double same[] = {2, 2, 2, 2};
	CHECK(stats_median(same, 4) == 2);
	double big[] = {DBL_MAX, DBL_MAX}; /* the mean of the middle two without overflow */
	CHECK(stats_median(big, 2) == DBL_MAX);
	CHECK(isnan(stats_median(NULL, 0)));
}

int main(void)
{
	TEST(chi2_quantiles_of_the_poisson_interval);
	TEST(chi2_quantiles_in_both_tails);
	TEST(chi2_quantiles_for_non_integer_and_odd_k);
	TEST(chi2_round_trip);
	TEST(chi2_quantile_rises_with_p_and_k);
	TEST(chi2_quantile_underflows_to_zero);
	TEST(chi2_invalid_input_is_nan);
	TEST(gamma_p_matches_references);
	TEST(gamma_p_edges_and_invalid_input);
	TEST(poisson_lift_known_cases);
	TEST(poisson_lift_with_nothing_expected);
	TEST(poisson_lift_invalid_input_is_nan);
	TEST(verdict_names);
	TEST(verdict_branches);
	TEST(verdict_with_nothing_expected);
	TEST(median_odd_even_empty);
	return HARNESS_EXIT();
}
