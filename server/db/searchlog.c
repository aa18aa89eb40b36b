/* The search log writer: request threads queue one JSON line per search;
 * a thread of its own writes them in batches, one INSERT per batch, so a
 * search costs its reader no write and no commit wait. A search record
 * is analytics, not an acknowledged fact: on a crash the last batch (at
 * most FLUSH_MS of searches) may be lost. */
#include "db_search.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db_internal.h"
#include "log.h"

#define QUEUE_MAX 20000
#define FLUSH_MS  200

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static json_t *queue; /* array of records, NULL while stopped */
static bool stopping;
static pthread_t thread;
static atomic_ulong dropped;

void db_searchlog_add(const char *user_id, const char *query, json_t *filters, long results)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	json_t *rec = json_pack("{s:s?, s:s, s:o?, s:I, s:f}", "user", user_id, "q", query,
				"filters", json_incref(filters), "n", (json_int_t)results, "at",
				(double)ts.tv_sec + ts.tv_nsec / 1e9);
	pthread_mutex_lock(&lock);
	bool taken = rec != NULL && queue != NULL && json_array_size(queue) < QUEUE_MAX &&
		     json_array_append(queue, rec) == 0;
	if (taken)
		pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	json_decref(rec);
	if (!taken)
		atomic_fetch_add(&dropped, 1);
}

static struct db_stmt q_insert =
    DB_STMT("INSERT INTO searches (at, user_id, query, filters, results)"
	    " SELECT to_timestamp((e->>'at')::float8), (e->>'user')::uuid, e->>'q',"
	    "  coalesce(e->'filters', '{}'), (e->>'n')::integer"
	    " FROM jsonb_array_elements($1::jsonb) e");

/* Writes @batch; on failure (the database away) the records are lost and
 * counted: a search is not worth holding requests for. */
static void write_batch(json_t *batch)
{
	char *text = json_dumps(batch, JSON_COMPACT);
	const char *p[] = {text};
	enum db_status s = DB_ERROR;
	if (text != NULL)
		PQclear(db_write(NULL, &q_insert, 1, p, &s));
	if (s != DB_OK) {
		atomic_fetch_add(&dropped, json_array_size(batch));
		log_msg("warn", "%zu search records not written", json_array_size(batch));
	}
	free(text);
}

static void *run(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!stopping && json_array_size(queue) == 0)
			pthread_cond_wait(&wake, &lock);
		bool last = stopping;
		json_t *batch = queue;
		queue = last ? NULL : json_array();
		pthread_mutex_unlock(&lock);
		if (json_array_size(batch) > 0)
			write_batch(batch);
		json_decref(batch);
		if (last)
			break;
		struct timespec ts = {0, FLUSH_MS * 1000000L};
		nanosleep(&ts, NULL); /* let a batch gather */
		pthread_mutex_lock(&lock);
	}
	db_thread_done();
	return NULL;
}

int db_searchlog_start(void)
{
	pthread_mutex_lock(&lock);
	queue = json_array();
	stopping = false;
	pthread_mutex_unlock(&lock);
	if (pthread_create(&thread, NULL, run, NULL) != 0) {
		json_decref(queue);
		queue = NULL;
		return -1;
	}
	return 0;
}

void db_searchlog_stop(void)
{
	pthread_mutex_lock(&lock);
	bool running = queue != NULL;
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (running)
		pthread_join(thread, NULL);
}

unsigned long db_searchlog_dropped(void)
{
	return atomic_load(&dropped);
}
