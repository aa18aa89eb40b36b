/* The next-stage test in words a person reads (README, Analytics: "The
 * next-stage test"): a row's summary sentence, what its verdict means, and
 * the caveat shown beside the figures. Pure formatting: no state, no
 * allocation. */
#ifndef NS_STAGE_WORDS_H
#define NS_STAGE_WORDS_H
#include <stddef.h>
#include "stats.h"

#define SW_CAVEAT                                                                                  \
	"This is an association, not proof: reps may give content to deals that were already "     \
	"moving, and a rep who shares a piece right before moving a deal on makes it look better " \
	"than it is."

/* Writes into @buf (@len bytes) the summary of a row with @n (≥ 1) kept
 * exposures in stage @stage_name over @window_days, @observed of them
 * advanced, @expected expected, and its lift and interval @l:
 *   "Of {n} deals that got this in {stage}, {O} ({O/n as %.0f}%) moved on
 *   within {W} days; comparable deals at the same point moved on {E/n as
 *   %.0f}% of the time: about {lift %.1f}× (plausibly {ci_low %.1f}–
 *   {ci_high %.1f}×)."
 * or, when E = 0, "...within {W} days; no comparable deal moved on in that
 * time." Truncated to fit @len (a few hundred bytes always fit a stage
 * name of 200). Can't fail. */
void sw_summary(char *buf, size_t len, long n, long observed, double expected,
		const struct stats_lift *l, const char *stage_name, int window_days);

/* Writes into @buf what verdict @v of a row means for a person: a plain
 * opening ("Too early to tell: 14 deals so far." for inconclusive and
 * insufficient_data), then @summary when not NULL, then what @pending
 * means when some are ("3 more deals got this; their 30 days are not
 * over."). Can't fail. */
void sw_explanation(char *buf, size_t len, enum stats_verdict v, long n, const char *summary,
		    long pending, int window_days);

#endif
