/* The search cache: a search's total and facets, by its words and
 * filters, for as long as the library does not change. Each entry keeps
 * the library's generation it was read at (library_generation, which every
 * change to assets bumps in its own transaction) and the time the next
 * asset expires; the search that uses it reads the page with the current
 * generation in the same snapshot, so an entry is only used when a fresh
 * count would be the same. Direct-mapped: a new entry replaces the one in
 * its slot. */
#include "db_search.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS	   512	      /* a power of two */
#define FACETS_MAX (16 << 10) /* bytes of one entry's facets at most */

struct entry {
	char *key; /* NULL: empty */
	long long generation;
	double valid_until; /* epoch seconds, the database's clock */
	long total;
	char *facets;
};

static struct entry slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_ulong hits, misses, stale;
static atomic_uint entries;

static struct entry *slot(const char *key)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (const unsigned char *c = (const unsigned char *)key; *c; c++)
		h = (h ^ *c) * 1099511628211u;
	return &slots[h & (SLOTS - 1)];
}

bool search_cache_get(const char *key, struct search_cached *out)
{
	pthread_mutex_lock(&lock);
	struct entry *e = slot(key);
	bool found = e->key != NULL && strcmp(e->key, key) == 0;
	if (found) {
		out->generation = e->generation;
		out->valid_until = e->valid_until;
		out->total = e->total;
		out->facets = strdup(e->facets);
		found = out->facets != NULL;
	}
	pthread_mutex_unlock(&lock);
	if (!found)
		atomic_fetch_add(&misses, 1);
	return found;
}

void search_cache_result(bool fresh)
{
	atomic_fetch_add(fresh ? &hits : &stale, 1);
}

void search_cache_put(const char *key, const struct search_cached *c)
{
	if (strlen(c->facets) > FACETS_MAX)
		return;
	char *k = strdup(key), *f = strdup(c->facets);
	if (k == NULL || f == NULL) {
		free(k);
		free(f);
		return;
	}
	pthread_mutex_lock(&lock);
	struct entry *e = slot(key);
	if (e->key == NULL)
		atomic_fetch_add(&entries, 1);
	free(e->key);
	free(e->facets);
	*e = (struct entry){k, c->generation, c->valid_until, c->total, f};
	pthread_mutex_unlock(&lock);
}

void search_cache_stats(struct search_cache_stats *s)
{
	s->hits = atomic_load(&hits);
	s->misses = atomic_load(&misses);
	s->stale = atomic_load(&stale);
	s->entries = atomic_load(&entries);
}
