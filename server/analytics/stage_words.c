/* The next-stage test in words (contracts in stage_words.h). */
#include "stage_words.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void sw_summary(char *buf, size_t len, long n, long observed, double expected,
		const struct stats_lift *l, const char *stage_name, int window_days)
{
	int used =
	    snprintf(buf, len,
		     "Of %ld deals that got this in %s, %ld (%.0f%%) moved on "
		     "within %d days; ",
		     n, stage_name, observed, 100.0 * (double)observed / (double)n, window_days);
	size_t at = used < 0 ? 0 : (size_t)used < len ? (size_t)used : len;
	if (!(expected > 0) || !isfinite(l->lift))
		snprintf(buf + at, len - at, "no comparable deal moved on in that time.");
	else
		snprintf(buf + at, len - at,
			 "comparable deals at the same point moved on %.0f%% of the time: about "
			 "%.1f\u00d7 (plausibly %.1f\u2013%.1f\u00d7).",
			 100.0 * expected / (double)n, l->lift, l->ci_low, l->ci_high);
}

/* "1 deal" or "{n} deals". */
static const char *deals(long n)
{
	return n == 1 ? "deal" : "deals";
}

void sw_explanation(char *buf, size_t len, enum stats_verdict v, long n, const char *summary,
		    long pending, int window_days)
{
	const char *opening = "";
	char early[64];
	switch (v) {
	case STATS_MOVES:
		opening = "Moves deals on.";
		break;
	case STATS_HURTS:
		opening = "Deals that got it moved on less often.";
		break;
	case STATS_NO_EFFECT:
		opening = "No effect either way.";
		break;
	case STATS_INCONCLUSIVE:
	case STATS_INSUFFICIENT:
		if (n > 0)
			snprintf(early, sizeof early, "Too early to tell: %ld %s so far.", n,
				 deals(n));
		else
			snprintf(early, sizeof early, "Too early to tell: no deals yet.");
		opening = early;
		break;
	case STATS_UNUSED:
		opening = "Never shared.";
		break;
	}
	int used =
	    snprintf(buf, len, "%s%s%s", opening, summary ? " " : "", summary ? summary : "");
	size_t at = used < 0 ? 0 : (size_t)used < len ? (size_t)used : len;
	if (pending > 0 && at < len)
		snprintf(buf + at, len - at, " %ld %s%s got this; %s %d days are not over.",
			 pending, n > 0 ? "more " : "", deals(pending),
			 pending == 1 ? "its" : "their", window_days);
}
