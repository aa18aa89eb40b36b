/* Request counters per route and status, a latency histogram, and the
 * database gauges, rendered in Prometheus text format. Counters are
 * relaxed atomics: exact totals, no ordering needed. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "db.h"
#include "deliver.h"
#include "retention.h"
#include "strbuf.h"
#include "db_blobs.h"
#include "db_extracts.h"
#include "db_search.h"
#include "db_tokens.h"
#include "db_writer.h"
#include "http_internal.h"
#include "extract_worker.h"
#include "router.h"

#define MAX_ROUTES 128
#define STATUSES   600
#define UNMATCHED  MAX_ROUTES

static atomic_ulong counts[MAX_ROUTES + 1][STATUSES];
static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				0.1,   0.25,   0.5,   1,    2.5,   10};
#define NB (sizeof bounds / sizeof bounds[0])
static atomic_ulong buckets[NB + 1]; /* the last is +Inf */
static atomic_ulong total_us, total_n;

void metrics_request(int route, unsigned status, unsigned long micros)
{
	int r = (route >= 0 && route < MAX_ROUTES) ? route : UNMATCHED;
	if (status < STATUSES)
		atomic_fetch_add_explicit(&counts[r][status], 1, memory_order_relaxed);
	size_t b = 0;
	while (b < NB && (double)micros / 1e6 > bounds[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&total_us, micros, memory_order_relaxed);
	atomic_fetch_add_explicit(&total_n, 1, memory_order_relaxed);
}

/* The extraction queue (-1 when the database did not answer) and what
 * this process's workers made of its jobs. */
static void put_extraction(struct strbuf *b)
{
	long depth = -1;
	if (db_extract_queue_depth(&depth) != DB_OK)
		depth = -1;
	struct extract_worker_counts c;
	extract_worker_counts(&c);
	sb_printf(b,
		  "# HELP nextstage_extract_queue_depth Blobs waiting for their text and preview.\n"
		  "# TYPE nextstage_extract_queue_depth gauge\n"
		  "nextstage_extract_queue_depth %ld\n"
		  "# HELP nextstage_extract_jobs_total Extraction jobs finished, by text_status.\n"
		  "# TYPE nextstage_extract_jobs_total counter\n",
		  depth);
	for (int i = 0; i <= EXTRACT_FAILED; i++)
		sb_printf(b, "nextstage_extract_jobs_total{status=\"%s\"} %lu\n",
			  extract_status_name((enum extract_status)i),
			  c.outcomes[i] + (i == EXTRACT_FAILED ? c.gave_up : 0));
	sb_printf(
	    b,
	    "# HELP nextstage_extract_retries_total Attempts that failed for a reason outside "
	    "the file, to be retried.\n"
	    "# TYPE nextstage_extract_retries_total counter\n"
	    "nextstage_extract_retries_total %lu\n",
	    c.retries);
}

char *metrics_render(void)
{
	struct strbuf b = {0};
	sb_printf(&b, "# HELP nextstage_http_requests_total Requests by route and status.\n"
		      "# TYPE nextstage_http_requests_total counter\n");
	for (size_t r = 0; r <= MAX_ROUTES; r++) {
		const char *name = r == UNMATCHED ? "unmatched"
				   : r < routes_count
				       ? (routes[r].metric ? routes[r].metric : routes[r].pattern)
				       : NULL;
		for (unsigned s = 0; name != NULL && s < STATUSES; s++) {
			unsigned long v = atomic_load_explicit(&counts[r][s], memory_order_relaxed);
			if (v == 0)
				continue;
			char method[16] = "";
			if (r != UNMATCHED)
				route_allow_header(routes[r].method, method, sizeof method);
			sb_printf(
			    &b,
			    "nextstage_http_requests_total{route=\"%s%s%s\",status=\"%u\"} %lu\n",
			    method, *method ? " " : "", name, s, v);
		}
	}
	sb_printf(&b, "# HELP nextstage_http_request_duration_seconds Request latency.\n"
		      "# TYPE nextstage_http_request_duration_seconds histogram\n");
	unsigned long cum = 0;
	for (size_t i = 0; i <= NB; i++) {
		cum += atomic_load_explicit(&buckets[i], memory_order_relaxed);
		if (i < NB)
			sb_printf(&b,
				  "nextstage_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
				  bounds[i], cum);
		else
			sb_printf(
			    &b, "nextstage_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n",
			    cum);
	}
	sb_printf(&b,
		  "nextstage_http_request_duration_seconds_sum %.6f\n"
		  "nextstage_http_request_duration_seconds_count %lu\n",
		  (double)atomic_load(&total_us) / 1e6, atomic_load(&total_n));
	sb_printf(
	    &b,
	    "# HELP nextstage_db_errors_total Database errors and failed connections.\n"
	    "# TYPE nextstage_db_errors_total counter\n"
	    "nextstage_db_errors_total %lu\n"
	    "# HELP nextstage_db_connections Open database connections (each thread that queries "
	    "holds one).\n"
	    "# TYPE nextstage_db_connections gauge\n"
	    "nextstage_db_connections %u\n"
	    "# HELP nextstage_db_disk_full_total Statements refused because the database's disk "
	    "is full.\n"
	    "# TYPE nextstage_db_disk_full_total counter\n"
	    "nextstage_db_disk_full_total %lu\n",
	    db_error_count(), db_pool_size(), db_disk_full_count());
	unsigned long hit, miss;
	auth_cache_stats(&hit, &miss);
	sb_printf(
	    &b,
	    "# HELP nextstage_auth_lookups_total Credential lookups, by where they were answered.\n"
	    "# TYPE nextstage_auth_lookups_total counter\n"
	    "nextstage_auth_lookups_total{source=\"cache\"} %lu\n"
	    "nextstage_auth_lookups_total{source=\"database\"} %lu\n"
	    "# HELP nextstage_token_uses_dropped_total API token uses whose time was not "
	    "recorded.\n"
	    "# TYPE nextstage_token_uses_dropped_total counter\n"
	    "nextstage_token_uses_dropped_total %lu\n",
	    hit, miss, db_token_uses_dropped());
	sb_printf(&b,
		  "# HELP nextstage_uploads_in_progress Uploads being received (each holds a "
		  "connection).\n"
		  "# TYPE nextstage_uploads_in_progress gauge\n"
		  "nextstage_uploads_in_progress %u\n"
		  "# HELP nextstage_search_log_dropped_total Search records not written.\n"
		  "# TYPE nextstage_search_log_dropped_total counter\n"
		  "nextstage_search_log_dropped_total %lu\n",
		  db_upload_count(), db_searchlog_dropped());
	struct search_cache_stats sc;
	search_cache_stats(&sc);
	sb_printf(
	    &b,
	    "# HELP nextstage_search_cache_lookups_total Searches by what the cache of totals and "
	    "facets had for them.\n"
	    "# TYPE nextstage_search_cache_lookups_total counter\n"
	    "nextstage_search_cache_lookups_total{result=\"hit\"} %lu\n"
	    "nextstage_search_cache_lookups_total{result=\"stale\"} %lu\n"
	    "nextstage_search_cache_lookups_total{result=\"miss\"} %lu\n"
	    "# HELP nextstage_search_cache_entries Searches whose total and facets are kept.\n"
	    "# TYPE nextstage_search_cache_entries gauge\n"
	    "nextstage_search_cache_entries %u\n",
	    sc.hits, sc.stale, sc.misses, sc.entries);
	unsigned long batches, jobs;
	db_writer_stats(&batches, &jobs);
	sb_printf(&b,
		  "# HELP nextstage_group_commits_total Transactions of the event writer.\n"
		  "# TYPE nextstage_group_commits_total counter\n"
		  "nextstage_group_commits_total %lu\n"
		  "# HELP nextstage_group_commit_jobs_total Durable writes (opens, event batches) "
		  "committed.\n"
		  "# TYPE nextstage_group_commit_jobs_total counter\n"
		  "nextstage_group_commit_jobs_total %lu\n",
		  batches, jobs);
	struct pool_stats pool;
	pool_stats(&pool);
	sb_printf(
	    &b,
	    "# HELP nextstage_db_pool_threads Threads of the database pool, by state.\n"
	    "# TYPE nextstage_db_pool_threads gauge\n"
	    "nextstage_db_pool_threads{state=\"busy\"} %u\n"
	    "nextstage_db_pool_threads{state=\"idle\"} %u\n"
	    "# HELP nextstage_db_pool_queued Requests waiting for a pool thread.\n"
	    "# TYPE nextstage_db_pool_queued gauge\n"
	    "nextstage_db_pool_queued %u\n"
	    "# HELP nextstage_db_pool_waits_total Requests that found every pool thread busy.\n"
	    "# TYPE nextstage_db_pool_waits_total counter\n"
	    "nextstage_db_pool_waits_total %lu\n"
	    "# HELP nextstage_db_pool_wait_seconds_total Time requests spent waiting for a pool "
	    "thread.\n"
	    "# TYPE nextstage_db_pool_wait_seconds_total counter\n"
	    "nextstage_db_pool_wait_seconds_total %.6f\n",
	    pool.busy, pool.size - pool.busy, pool.queued, pool.waits, pool.wait_seconds);
	struct deadline_stats conns;
	deadline_stats(&conns);
	sb_printf(&b,
		  "# HELP nextstage_http_connections Open client connections.\n"
		  "# TYPE nextstage_http_connections gauge\n"
		  "nextstage_http_connections %u\n"
		  "# HELP nextstage_http_connections_limit Client connections at most.\n"
		  "# TYPE nextstage_http_connections_limit gauge\n"
		  "nextstage_http_connections_limit %u\n"
		  "# HELP nextstage_http_connections_cut_total Connections closed for a request's "
		  "headers not complete in time (headers) or to make room (idle).\n"
		  "# TYPE nextstage_http_connections_cut_total counter\n"
		  "nextstage_http_connections_cut_total{reason=\"headers\"} %lu\n"
		  "nextstage_http_connections_cut_total{reason=\"idle\"} %lu\n",
		  conns.open, conns.limit, conns.cut_headers, conns.cut_idle);
	struct deliver_stats d;
	deliver_stats(&d);
	sb_printf(
	    &b,
	    "# HELP nextstage_deliveries_total Webhook posts and e-mails, by outcome: delivered,"
	    " a try that failed (retried), parked as failed after the retry window.\n"
	    "# TYPE nextstage_deliveries_total counter\n"
	    "nextstage_deliveries_total{outcome=\"delivered\"} %lu\n"
	    "nextstage_deliveries_total{outcome=\"failed_try\"} %lu\n"
	    "nextstage_deliveries_total{outcome=\"parked\"} %lu\n"
	    "# HELP nextstage_deliveries_in_flight Webhook posts and e-mails being sent.\n"
	    "# TYPE nextstage_deliveries_in_flight gauge\n"
	    "nextstage_deliveries_in_flight %u\n",
	    d.delivered, d.failed_tries, d.parked, d.in_flight);
	struct retention_stats rs;
	retention_stats(&rs);
	sb_printf(
	    &b,
	    "# HELP nextstage_retention_removed_total Rows removed by retention passes, by table"
	    " (outbox: the lead.sales_ready events of removed leads).\n"
	    "# TYPE nextstage_retention_removed_total counter\n"
	    "nextstage_retention_removed_total{table=\"opens\"} %lu\n"
	    "nextstage_retention_removed_total{table=\"page_views\"} %lu\n"
	    "nextstage_retention_removed_total{table=\"downloads\"} %lu\n"
	    "nextstage_retention_removed_total{table=\"leads\"} %lu\n"
	    "nextstage_retention_removed_total{table=\"outbox\"} %lu\n"
	    "# HELP nextstage_retention_passes_total Retention passes completed.\n"
	    "# TYPE nextstage_retention_passes_total counter\n"
	    "nextstage_retention_passes_total %lu\n",
	    rs.opens, rs.page_views, rs.downloads, rs.leads, rs.lead_deliveries, rs.passes);
	put_extraction(&b);
	return sb_take(&b, NULL);
}
