/* The verdicts of one run of the next-stage test (st_judge in
 * stagetest.h): each row's interval and p-value, then the q-values over
 * the family of rows with enough exposures, then the verdicts. */
#include <math.h>
#include <stdlib.h>
#include "stagetest.h"

bool st_judge(const struct st_row *rows, size_t n, long min_sample, struct st_judgement *out)
{
	double *p = calloc(n + 1, sizeof *p);
	size_t *member = malloc((n + 1) * sizeof *member), k = 0;
	bool ok = p && member;
	for (size_t i = 0; ok && i < n; i++) {
		const struct st_row *r = &rows[i];
		stats_lift_of(r->n, r->observed, r->expected, r->variance, &out[i].lift);
		out[i].q_value = NAN;
		if (r->n >= min_sample) {
			member[k] = i;
			p[k++] = out[i].lift.p_value;
		}
	}
	ok = ok && stats_bh(p, k, p);
	for (size_t j = 0; ok && j < k; j++)
		out[member[j]].q_value = p[j];
	for (size_t i = 0; ok && i < n; i++)
		out[i].verdict = stats_verdict_of(true, rows[i].n, min_sample, rows[i].observed,
						  rows[i].expected, out[i].q_value, &out[i].lift);
	free(p);
	free(member);
	return ok;
}
