/* The public asset pages, outside /api, for anyone:
 *   GET  /p/{id}         the page of a public, published asset (a view)
 *   GET  /p/{id}/file    its content when it is not gated (a download)
 *   POST /p/{id}/access  a gated asset's form (public_access.c)
 * Views and downloads are recorded like tracked-link opens: one
 * group-committed job (db_public.h), committed before the answer, bots
 * marked by the same rules. Every request first takes a
 * token from its address's bucket (NEXTSTAGE_PUBLIC_RATE). Errors are
 * HTML for browsers and problem+json for everything else
 * (reply_public_error). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "config.h"
#include "db_public.h"
#include "handlers.h"
#include "public.h"
#include "log.h"
#include "ratelimit.h"

static struct ratelimit *limiter;

static void make_limiter(void)
{
	limiter = rl_new(config.public_rate, config.public_rate);
	if (limiter == NULL)
		log_msg("error", "no memory for the rate limiter of /p/: not limiting");
}

uint64_t public_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

void public_refuse_rate(struct req *r, unsigned retry, const char *detail)
{
	char v[16];
	snprintf(v, sizeof v, "%u", retry);
	reply_header(r, "Retry-After", v);
	reply_public_error(r, ERR_RATE_LIMITED, NULL, detail);
}

bool public_admitted(struct req *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (config.public_rate == 0)
		return true;
	pthread_once(&once, make_limiter);
	char addr[64], detail[120];
	req_client(r, addr, sizeof addr);
	unsigned retry;
	if (limiter == NULL || rl_admit(limiter, addr, public_now_ms(), &retry))
		return true;
	snprintf(detail, sizeof detail,
		 "at most %u requests a minute come from one address; retry in %u s",
		 config.public_rate, retry);
	public_refuse_rate(r, retry, detail);
	return false;
}

static void visit_clear(void *pv)
{
	db_page_visit_clear(pv);
}

/* First run of the GETs: the lookup and the view or download go to the
 * writer as one job; the request sleeps until it is committed. */
static void visit(struct req *r, enum db_page_hit hit)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no public page here");
		return;
	}
	struct db_page_visit *pv = req_state_new(r, sizeof *pv, visit_clear);
	if (pv == NULL)
		return;
	struct visitor v;
	req_visitor(r, &v);
	db_page_visit_submit(pv, id, hit, &v, req_wait(r));
}

/* Second run: false when the visit found no live page (answered). */
static bool visit_live(struct req *r, json_t **page, struct db_target *t)
{
	enum db_page_state state;
	enum db_status s = db_page_visit_outcome(r->state, &state, page, t);
	if (s != DB_OK) {
		reply_public_db(r, s);
		return false;
	}
	return !reply_public_state(r, state);
}

void h_public_page(struct req *r)
{
	if (!r->resumed) {
		if (public_admitted(r))
			visit(r, DB_PAGE_VIEW);
		return;
	}
	json_t *page;
	struct db_target t;
	if (visit_live(r, &page, &t))
		reply_public_page(r, 200, page, NULL);
	json_decref(page);
	db_target_clear(&t);
}

void public_serve(struct req *r, const struct db_target *t, unsigned redirect)
{
	public_file_headers(r);
	if (t->url != NULL) {
		reply_header(r, "Location", t->url);
		reply_empty(r, redirect);
	} else {
		reply_content(r, &t->file, "private, no-store");
	}
}

void h_public_file(struct req *r)
{
	if (!r->resumed) {
		if (public_admitted(r))
			visit(r, DB_PAGE_DOWNLOAD);
		return;
	}
	json_t *page;
	struct db_target t;
	if (visit_live(r, &page, &t))
		public_serve(r, &t, 302);
	json_decref(page);
	db_target_clear(&t);
}
