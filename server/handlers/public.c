/* The public asset pages, outside /api, for anyone:
 *   GET  /p/{id}         the page of a public, published asset (a view)
 *   GET  /p/{id}/file    its content when it is not gated (a download)
 *   POST /p/{id}/access  a gated asset's form: a lead, then the content
 * Views and downloads are recorded like tracked-link opens: one job of the
 * group-commit writer (public_hit() in schema/0015), committed before the
 * answer, bots marked by the same rules. A lead is one transaction
 * (record_lead()). Every request first takes a token from its address's
 * bucket (NEXTSTAGE_PUBLIC_RATE). Errors are HTML for browsers and
 * problem+json for everything else (reply_public_error). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "bots.h"
#include "config.h"
#include "db_assets.h"
#include "db_leads.h"
#include "db_writer.h"
#include "handlers.h"
#include "log.h"
#include "ratelimit.h"
#include "urlform.h"

static struct ratelimit *limiter;

static void make_limiter(void)
{
	limiter = rl_new(config.public_rate, config.public_rate);
	if (limiter == NULL)
		log_msg("error", "no memory for the rate limiter of /p/: not limiting");
}

/* False when @r's address is over its rate (answered 429). */
static bool admitted(struct req *r)
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

/* Answers a failed database call. */
static void db_failed(struct req *r, enum db_status s)
{
	if (s == DB_UNAVAILABLE)
		reply_header(r, "Retry-After", "5");
	reply_public_error(r,
			   s == DB_NOT_FOUND	? ERR_NOT_FOUND
			   : s == DB_UNAVAILABLE ? ERR_DB_UNAVAILABLE
						 : ERR_INTERNAL,
			   NULL, NULL);
}

/* Answers the words of public_state(); false when @out is none of them. */
static bool refused(struct req *r, const char *out)
{
	if (strcmp(out, "missing") == 0)
		reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no public page here");
	else if (strcmp(out, "gone") == 0)
		reply_public_error(r, ERR_GONE, NULL, "this content is no longer available");
	else
		return false;
	return true;
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
	const char *ua = req_header(r, "User-Agent");
	const char *bot = bot_reason(req_method(r), ua);
	char hash[CLIENT_HASH_TEXT];
	const char *p[] = {id, kind, client_hash(r, hash), ua_class(ua, bot), bot};
	job_wait_submit(r, w, DB_JOB_PAGE_HIT, 5, p, NULL);
}

/* The outcome of a hit as JSON, or NULL when it was answered already. */
static json_t *hit_result(struct req *r)
{
	struct job_wait *w = r->state;
	if (w->status != DB_OK || w->result == NULL) {
		db_failed(r, w->status == DB_OK ? DB_ERROR : w->status);
		return NULL;
	}
	if (refused(r, w->result))
		return NULL;
	if (strcmp(w->result, "gated") == 0) {
		reply_public_gated(r, req_param(r, 0));
		return NULL;
	}
	json_t *j = json_loads(w->result, 0, NULL);
	if (j == NULL)
		db_failed(r, DB_ERROR);
	return j;
}

void h_public_page(struct req *r)
{
	if (!r->resumed) {
		if (admitted(r))
			hit(r, "view");
		return;
	}
	json_t *page = hit_result(r);
	if (page != NULL)
		reply_public_page(r, 200, page, NULL);
	json_decref(page);
}

/* Serves a target: the bytes of a file, or a redirect (@redirect) to a
 * link asset's url. */
static void serve(struct req *r, const json_t *target, unsigned redirect)
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
		if (admitted(r))
			hit(r, "download");
		return;
	}
	json_t *target = hit_result(r);
	if (target != NULL)
		serve(r, target, 302);
	json_decref(target);
}

/* A refused form: a browser gets the page again, with the values sent and
 * @sentence above the form; anything else problem+json (@e, @field,
 * @detail). */
static void refuse_form(struct req *r, const json_t *form, enum err e, const char *field,
			const char *detail, const char *sentence)
{
	if (!public_wants_html(r)) {
		reply_public_error(r, e, field, detail);
		return;
	}
	char *out = NULL;
	enum db_status s = db_public_page(req_param(r, 0), &out);
	json_t *page = s == DB_OK && !refused(r, out) ? json_loads(out, 0, NULL) : NULL;
	if (s != DB_OK)
		db_failed(r, s);
	else if (page != NULL) {
		struct public_form f = {
		    json_string_value(json_object_get(form, "name")),
		    json_string_value(json_object_get(form, "email")),
		    json_string_value(json_object_get(form, "company")), sentence};
		reply_public_page(r, err_status(e), page, &f);
	}
	json_decref(page);
	free(out);
}

/* Leading and trailing blanks off every value; empty values left out (a
 * browser sends the fields left empty). */
static void tidy(json_t *form)
{
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(form, tmp, key, v)
	{
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
			len--;
		size_t lead = strspn(s, " \t\r\n");
		if (lead >= len)
			json_object_del(form, key);
		else if (lead > 0 || len < json_string_length(v))
			json_object_set_new(form, key, json_stringn(s + lead, len - lead));
	}
}

static bool has_control(const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* What a browser's visitor is told about each field. */
static const char *sentence_for(const char *field)
{
	static const char *const said[][2] = {
	    {"name", "Please give your name (up to 200 characters)."},
	    {"email", "Please give an email address such as name@example.com."},
	    {"company", "The company name is up to 200 characters."},
	    {"consent", "Please choose yes or no: may we follow up with you?"},
	};
	for (size_t i = 0; field != NULL && i < sizeof said / sizeof said[0]; i++)
		if (strcmp(field, said[i][0]) == 0)
			return said[i][1];
	return "The form could not be read. Please fill it in again.";
}

/* Checks the form; false when refused (answered). */
static bool form_ok(struct req *r, json_t *form)
{
	static const char *const yes_no[] = {"yes", "no", NULL};
	const char *name = NULL, *email = NULL, *company = NULL, *consent = NULL, *sha = NULL;
	struct js_field spec[] = {
	    JS_STR("name", &name, JS_REQUIRED, 1, 200),
	    JS_STR("email", &email, JS_REQUIRED, 3, EMAIL_MAX),
	    JS_STR("company", &company, 0, 1, 200),
	    JS_ONE_OF("consent", &consent, JS_REQUIRED, yes_no),
	    JS_STR("disclosure_sha256", &sha, 0, 64, 64),
	};
	struct js_error e;
	char detail[200];
	tidy(form);
	if (!js_parse(form, spec, sizeof spec / sizeof spec[0], &e)) {
		snprintf(detail, sizeof detail, "%s %s", e.field ? e.field : "", e.detail);
		refuse_form(r, form, e.code, e.field, detail, sentence_for(e.field));
		return false;
	}
	const char *bad = !email_valid(email) ? "email"
			  : has_control(name) ? "name"
			  : has_control(company) ? "company"
						 : NULL;
	if (bad != NULL) {
		snprintf(detail, sizeof detail, "%s is not valid", bad);
		refuse_form(r, form, ERR_INVALID_FIELD, bad, detail, sentence_for(bad));
		return false;
	}
	return true;
}

static bool form_encoded(const char *type)
{
	size_t n = type ? strcspn(type, "; \t") : 0;
	return n == 33 && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* Records the lead of @form and answers with the content. */
static void record(struct req *r, const json_t *form)
{
	const char *ua = req_header(r, "User-Agent");
	const char *bot = bot_reason(req_method(r), ua);
	char hash[CLIENT_HASH_TEXT], *lead = json_dumps(form, JSON_COMPACT), *out = NULL;
	enum db_status s =
	    lead ? db_lead_record(req_param(r, 0), lead, client_hash(r, hash), ua_class(ua, bot),
				  bot, &out)
		 : DB_ERROR;
	free(lead);
	json_t *target = s == DB_OK ? json_loads(out, 0, NULL) : NULL;
	if (s != DB_OK)
		db_failed(r, s);
	else if (refused(r, out))
		;
	else if (strcmp(out, "not_gated") == 0)
		reply_public_error(r, ERR_NOT_FOUND, NULL,
				   "this asset has no form: its page links to it");
	else if (strcmp(out, "disclosure_changed") == 0)
		refuse_form(r, form, ERR_CONFLICT, "disclosure_sha256",
			    "the disclosure changed since the form was shown",
			    "What happens after you download has changed since you opened this "
			    "page. Please read it again and choose.");
	else if (target == NULL)
		db_failed(r, DB_ERROR);
	else if (json_object_get(target, "url") != NULL && public_wants_html(r))
		/* CSP form-action would stop a browser following a redirect
		 * to another site: a page links there instead. */
		reply_public_link(r, json_string_value(json_object_get(target, "url")));
	else
		serve(r, target, 303);
	json_decref(target);
	free(out);
}

void h_public_access(struct req *r)
{
	if (!admitted(r))
		return;
	if (!uuid_valid(req_param(r, 0))) {
		reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no public page here");
		return;
	}
	if (!form_encoded(req_header(r, "Content-Type"))) {
		reply_public_error(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
				   "send the form as application/x-www-form-urlencoded");
		return;
	}
	size_t len;
	const char *body = req_body(r, &len);
	struct urlform_error ue;
	json_t *form = urlform_parse(body, len, &ue);
	if (form == NULL)
		refuse_form(r, NULL, ue.code, *ue.field ? ue.field : NULL, ue.detail,
			    sentence_for(*ue.field ? ue.field : NULL));
	else if (form_ok(r, form))
		record(r, form);
	json_decref(form);
}
