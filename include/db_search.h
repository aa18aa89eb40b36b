/* Asset search (full text, prefix, trigram, filters, facets, keyset
 * pages) and the record of searches. */
#ifndef NS_DB_SEARCH_H
#define NS_DB_SEARCH_H
#include <stdbool.h>
#include <jansson.h>
#include "db.h"

struct search_query {
	const char *q;	     /* the words typed; "" for none */
	const char *tsquery; /* "w1 & w2 & w3:*" built from q (safe lexemes only); "" for none */
	/* Filters: NULL-terminated lists (OR within one), NULL for none. */
	const char *const *personas,
	    *const *stages, *const *kinds, *const *intents, *const *statuses, *const *tags;
	bool visible_only;     /* published, unexpired only (reps) */
	const char *sort;      /* relevance | recent | shares | lift */
	const char *after_key; /* the keyset cursor: sort key and id of the */
	const char *after_id;  /* last item of the previous page, or NULL */
	int limit;
};

/* One page, as the API answers it (malloc'd JSON text in *@json):
 * {"items": [...], "total": N, "facets": {...}, "next_cursor": base64url of
 * "sort key id" of the page's last item, or null at the end}; *@total is
 * N. Built whole by the database: the hot path parses no JSON. */
enum db_status db_asset_search(const struct search_query *q, char **json, long *total);

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
