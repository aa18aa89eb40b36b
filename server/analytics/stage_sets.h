/* The counting tools of the next-stage test (stagetest.c): sorts, sets of
 * time intervals counted at a rising time, time-in-stage bands, and
 * whether a stage is crowded. Internal to server/analytics/. */
#ifndef NS_STAGE_SETS_H
#define NS_STAGE_SETS_H
#include "stagetest.h"

/* Sorts @n int64 values ascending (a radix sort when many). False when
 * out of memory, @v then untouched. */
bool ss_sort_times(int64_t *v, size_t n);

/* Sorts @n items of @size bytes by the (stage, time) that @of gives (a
 * radix sort when many, else, or when the times span centuries, qsort
 * with @cmp, which must order the same way). False when out of memory. */
typedef void (*ss_key_fn)(const void *item, int *stage, int64_t *t);
bool ss_sort_by_stage_time(void *items, size_t n, size_t size, ss_key_fn of,
			   int (*cmp)(const void *, const void *));

/* A set of half-open intervals [start, end) that answers "how many hold
 * t?" for t that never decreases between two calls: the number of starts
 * ≤ t less the number of ends ≤ t, each found by a cursor. Zero-filled is
 * empty. */
struct ss_set {
	int64_t *starts, *ends;
	size_t ns, ne, cap_s, cap_e, at_s, at_e;
	bool failed; /* an allocation failed: counts are wrong */
};

/* Adds [start, end) unless it is empty; end ST_OPEN never ends. */
void ss_add(struct ss_set *s, int64_t start, int64_t end);
/* Sorts what was added and rewinds the cursors; false when out of memory
 * (also after a failed ss_add). */
bool ss_seal(struct ss_set *s);
/* The intervals holding @t (no earlier than the @t of the call before). */
long ss_count(struct ss_set *s, int64_t t);
void ss_free(struct ss_set *s);

/* The band of a time in stage (≥ 0): 0 for [0,14) days, 1 for [14,30),
 * 2 for [30,60), 3 from 60 days on. */
int ss_band(int64_t in_stage);

/* Adds to @open the part of spell @sp's stay in band @b that starts at or
 * after @from (INT64_MIN: all of it), and to @adv (when the spell
 * advanced) the part of that during which its advance falls within the
 * next @window: the times t at which it is open in band @b and
 * t < l ≤ t + window. @b is ignored (the whole stay) when !@banded. */
void ss_add_spell(struct ss_set *open, struct ss_set *adv, const struct st_spell *sp, int b,
		  bool banded, int64_t from, int64_t window);

/* Whether the @n spells @sp of one stage make it crowded: the median,
 * over every day from that of the first entry to that of @last (both
 * included, at 00:00 UTC), of the spells open then is at least ST_CROWD.
 * False when there is no such day. *@ok becomes false when out of memory. */
bool ss_crowded(const struct st_spell *sp, size_t n, int64_t last, bool *ok);

#endif
