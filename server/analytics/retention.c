/* Retention passes (retention.h): the server's own, on a timer, and an
 * admin's. Every pass keeps what the rollups and the app show
 * (schema/functions/retention_rows.sql); this file only says when. */
#include "retention.h"

#include <stdatomic.h>
#include <stdlib.h>
#include "config.h"
#include "db_retention.h"
#include "log.h"
#include "periodic.h"

#define FIRST_PASS_S 60

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

static unsigned pass(void)
{
	char *json = NULL;
	if (retention_run_now(NULL, &json) != DB_OK)
		log_msg("warn", "retention: the pass failed; next try in %u s",
			config.retention_every_s);
	free(json);
	return config.retention_every_s;
}

static struct periodic thread = {.task = pass, .done = db_thread_done};

int retention_start(void)
{
	if (config.retention_every_s == 0 ||
	    (config.retain_events_days == 0 && config.retain_leads_days == 0))
		return 0;
	unsigned every = config.retention_every_s;
	thread.first_s = every < FIRST_PASS_S ? every : FIRST_PASS_S;
	return periodic_start(&thread);
}

void retention_stop(void)
{
	periodic_stop(&thread);
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
