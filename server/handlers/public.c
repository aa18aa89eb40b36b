/* The public asset pages, outside /api, for anyone:
 *   GET  /p/{id}         the page of a public, published asset (a view)
 *   GET  /p/{id}/file    its content when it is not gated (a download)
 *   POST /p/{id}/access  a gated asset's form (public_access.c)
 * Views and downloads are recorded like tracked-link opens: one job of the
 * group-commit writer (public_hit() in schema/0015), committed before the
 * answer, bots marked by the same rules. Every request first takes a
 * token from its address's bucket (NEXTSTAGE_PUBLIC_RATE). Errors are
 * HTML for browsers and problem+json for everything else
 * (reply_public_error). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "db_assets.h"
#include "db_writer.h"
#include "handlers.h"
#include "log.h"
#include "ratelimit.h"

static struct ratelimit *limiter;

static void make_limiter(void)
{
	limiter = rl_new(config.public_rate, config.public_rate);
	if (limiter == NULL)
		log_msg("error", "no memory for the rate limiter of /p/: not limiting");
}

bool public_admitted(struct req *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (config.public_rate == 0)
		return true;
	pthread_once(&once, make_limiter);
	char addr[64], v[16], detail[120];
	req_client(r, addr, sizeof addr);
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	unsigned retry;
	uint64_t now_ms = (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
	if (limiter == NULL || rl_admit(limiter, addr, now_ms, &retry))
		return true;
	snprintf(v, sizeof v, "%u", retry);
	reply_header(r, "Retry-After", v);
	snprintf(detail, sizeof detail,
		 "at most %u requests a minute come from one address; retry in %u s",
		 config.public_rate, retry);
	reply_public_error(r, ERR_RATE_LIMITED, NULL, detail);
	return false;
}

/* First run of the GETs: the lookup and the view or download go to the
 * writer as one job; the request sleeps until it is committed. */
static void hit(struct req *r, const char *kind)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no public page here");
		return;
	}
	struct job_wait *w = job_wait_attach(r);
	if (w == NULL)
		return;
	struct visitor v;
	visitor_of(r, &v);
	const char *p[] = {id, kind, v.hash, v.ua, v.bot};
	job_wait_submit(r, w, DB_JOB_PAGE_HIT, 5, p, NULL);
}

/* The outcome of a hit as JSON, or NULL when it was answered already. */
static json_t *hit_result(struct req *r)
{
	struct job_wait *w = r->state;
	if (w->status != DB_OK || w->result == NULL) {
		reply_public_db(r, w->status == DB_OK ? DB_ERROR : w->status);
		return NULL;
	}
	if (reply_public_state(r, w->result))
		return NULL;
	if (strcmp(w->result, "gated") == 0) {
		reply_public_gated(r, req_param(r, 0));
		return NULL;
	}
	json_t *j = json_loads(w->result, 0, NULL);
	if (j == NULL)
		reply_public_db(r, DB_ERROR);
	return j;
}

void h_public_page(struct req *r)
{
	if (!r->resumed) {
		if (public_admitted(r))
			hit(r, "view");
		return;
	}
	json_t *page = hit_result(r);
	if (page != NULL)
		reply_public_page(r, 200, page, NULL);
	json_decref(page);
}

void public_serve(struct req *r, const json_t *target, unsigned redirect)
{
	struct asset_content c;
	const char *url = target_content(target, &c);
	public_file_headers(r);
	if (url != NULL) {
		reply_header(r, "Location", url);
		reply_empty(r, redirect);
	} else {
		reply_content(r, &c, "private, no-store");
	}
}

void h_public_file(struct req *r)
{
	if (!r->resumed) {
		if (public_admitted(r))
			hit(r, "download");
		return;
	}
	json_t *target = hit_result(r);
	if (target != NULL)
		public_serve(r, target, 302);
	json_decref(target);
}
