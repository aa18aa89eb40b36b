/* Retention passes (retention.h): the server's own, on a timer, and an
 * admin's. Every pass keeps what the rollups and the app show
 * (schema/functions/retention_rows.sql); this file only says when. */
#include "retention.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include "config.h"
#include "db_retention.h"
#include "log.h"

#define FIRST_PASS_S 60

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping, running;
static atomic_ulong removed_opens, removed_views, removed_downloads, removed_leads,
    removed_deliveries, passes;

static void count(const struct db_retention *r)
{
	atomic_fetch_add_explicit(&removed_opens, (unsigned long)r->opens, memory_order_relaxed);
	atomic_fetch_add_explicit(&removed_views, (unsigned long)r->page_views,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&removed_downloads, (unsigned long)r->downloads,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&removed_leads, (unsigned long)r->leads, memory_order_relaxed);
	atomic_fetch_add_explicit(&removed_deliveries, (unsigned long)r->lead_deliveries,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&passes, 1, memory_order_relaxed);
}

enum db_status retention_run_now(const char *actor_id, char **json)
{
	struct db_retention r;
	enum db_status s = db_retention_run(actor_id, config.retain_events_days,
					    config.retain_leads_days, &r, json);
	if (s == DB_OK) {
		count(&r);
		if (r.opens + r.page_views + r.downloads + r.leads + r.lead_deliveries > 0)
			log_msg("info",
				"retention: removed %lld opens, %lld page views, %lld downloads, "
				"%lld leads, %lld lead deliveries",
				r.opens, r.page_views, r.downloads, r.leads, r.lead_deliveries);
	}
	return s;
}

static void *run(void *unused)
{
	(void)unused;
	unsigned every = config.retention_every_s;
	time_t due = time(NULL) + (every < FIRST_PASS_S ? every : FIRST_PASS_S);
	pthread_mutex_lock(&lock);
	while (!stopping) {
		if (time(NULL) >= due) {
			pthread_mutex_unlock(&lock);
			char *json = NULL;
			if (retention_run_now(NULL, &json) != DB_OK)
				log_msg("warn", "retention: the pass failed; next try in %u s",
					every);
			free(json);
			due = time(NULL) + every;
			pthread_mutex_lock(&lock);
			continue;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += due - time(NULL);
		pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	db_thread_done();
	return NULL;
}

int retention_start(void)
{
	if (config.retention_every_s == 0 ||
	    (config.retain_events_days == 0 && config.retain_leads_days == 0))
		return 0;
	stopping = false;
	running = pthread_create(&thread, NULL, run, NULL) == 0;
	return running ? 0 : -1;
}

void retention_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
}

void retention_stats(struct retention_stats *out)
{
	out->opens = atomic_load_explicit(&removed_opens, memory_order_relaxed);
	out->page_views = atomic_load_explicit(&removed_views, memory_order_relaxed);
	out->downloads = atomic_load_explicit(&removed_downloads, memory_order_relaxed);
	out->leads = atomic_load_explicit(&removed_leads, memory_order_relaxed);
	out->lead_deliveries = atomic_load_explicit(&removed_deliveries, memory_order_relaxed);
	out->passes = atomic_load_explicit(&passes, memory_order_relaxed);
}
