/* Asset search (full text, prefix, trigram, filters, facets, keyset
 * pages) and the record of searches. */
#ifndef NS_DB_SEARCH_H
#define NS_DB_SEARCH_H
#include <stdbool.h>
#include <jansson.h>
#include "db.h"

#define SEARCH_Q_MAX 500 /* bytes of the words typed */

/* Where the next page of a search starts: the sort key and id of the
 * previous page's last item, as its next_cursor says them. */
struct search_after {
	char key[40];
	char id[37];
};

struct search_query {
	const char *q; /* the words typed (up to SEARCH_Q_MAX bytes); "" for none */
	/* Filters: NULL-terminated lists (OR within one), NULL for none. */
	const char *const *personas,
	    *const *stages, *const *kinds, *const *intents, *const *statuses, *const *tags;
	bool visible_only;		  /* published, unexpired only (reps) */
	const char *sort;		  /* relevance | recent | shares | lift */
	const struct search_after *after; /* NULL: the first page */
	int limit;
};

/* Reads @cursor, a next_cursor that db_asset_search made (base64url of
 * "sort key id"), into *@after. False when it is not one it made for a
 * search sorted by @sort. Can't fail otherwise. */
bool db_search_cursor(const char *cursor, const char *sort, struct search_after *after);

/* One page, as the API answers it (malloc'd JSON text in *@json):
 * {"items": [...], "total": N, "facets": {...}, "next_cursor": the
 * position after the page's last item (see db_search_cursor), or null at
 * the end}; *@total is N. The words' tsquery is made here, from their
 * letters and digits only, so no text the client typed reaches
 * to_tsquery's syntax. Built whole by the database: the hot path parses
 * no JSON. */
enum db_status db_asset_search(const struct search_query *q, char **json, long *total);

/* The search cache (searchcache.c), used by db_asset_search: a
 * search's total and facets (JSON text) as read at a generation of the
 * library, valid until a time (epoch seconds, the database's clock;
 * INFINITY for ever) unless the generation changes. get copies an entry
 * out (false: none; free out->facets); result counts what a found entry
 * turned out to be (fresh: used; else stale); put replaces the slot's
 * entry. Thread-safe; bounded (512 entries, 16 kB of facets each). */
struct search_cached {
	long long generation;
	double valid_until;
	long total;
	char *facets;
};
bool search_cache_get(const char *key, struct search_cached *out);
void search_cache_result(bool fresh);
void search_cache_put(const char *key, const struct search_cached *c);
struct search_cache_stats {
	unsigned long hits, misses, stale;
	unsigned entries;
};
void search_cache_stats(struct search_cache_stats *s);

/* Records a search: who (@user_id), what (@query, @filters: a JSON
 * object, which the record keeps a reference to), how many results. Queued and written in batches
 * by a background thread within about 200 ms; never blocks the caller. Until db_searchlog_start,
 * and when the queue is full, records are dropped and counted. */
void db_searchlog_add(const char *user_id, const char *query, json_t *filters, long results);
int db_searchlog_start(void);
/* Writes what is queued and stops the thread. */
void db_searchlog_stop(void);
/* Records dropped since start (for /metrics). */
unsigned long db_searchlog_dropped(void);

#endif
