/* The counting tools of the next-stage test (stagetest.c): sorts, counts
 * of time intervals holding given times, time-in-stage bands, and whether
 * a stage is crowded. Internal to server/analytics/. */
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

/* Counts of half-open intervals [start, end) holding each of @n times
 * @t (ascending), per band and per kind (SS_OPEN: stays open, SS_ADV:
 * stays advancing within the window): each interval marks the run of
 * times it holds, found by binary search, in a difference array that
 * ss_stab_sum turns into counts. No sort of the intervals. */
enum { SS_OPEN, SS_ADV };

struct ss_stab {
	const int64_t *t;
	size_t n;
	long *count; /* [band][kind][n + 1] */
};

/* Prepares @s over @t (@n, kept by the caller); false when out of memory. */
bool ss_stab_init(struct ss_stab *s, const int64_t *t, size_t n);
/* Turns what ss_add_spell added into counts; then ss_stab_at answers. */
void ss_stab_sum(struct ss_stab *s);
/* The intervals of @kind in @band holding the @i-th time. */
long ss_stab_at(const struct ss_stab *s, int band, int kind, size_t i);
void ss_stab_free(struct ss_stab *s);

/* The band of a time in stage (≥ 0): 0 for [0,14) days, 1 for [14,30),
 * 2 for [30,60), 3 from 60 days on. */
int ss_band(int64_t in_stage);

/* Adds to @s, as SS_OPEN, the part of spell @sp's stay in band @b that
 * starts at or after @from (INT64_MIN: all of it), and as SS_ADV (when the
 * spell advanced) the part of that during which its advance falls within
 * the next @window: the times t at which it is open in band @b and
 * t < l ≤ t + window. The whole stay, in band 0, when !@banded. */
void ss_add_spell(struct ss_stab *s, const struct st_spell *sp, int b, bool banded, int64_t from,
		  int64_t window);

/* Whether the @n spells @sp of one stage make it crowded: the median,
 * over every day from that of the first entry to that of @last (both
 * included, at 00:00 UTC), of the spells open then is at least ST_CROWD.
 * False when there is no such day. *@ok becomes false when out of memory. */
bool ss_crowded(const struct st_spell *sp, size_t n, int64_t last, bool *ok);

#endif
