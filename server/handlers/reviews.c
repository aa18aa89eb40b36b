/* /api/v1/reviews: the editorial board's queue of assets that fail the
 * question (unused, not moving deals, expired) with their evidence, and
 * its decisions on them. */
#include <stdlib.h>
#include <string.h>
#include "db_reviews.h"
#include "handlers.h"

static const char *const reasons[] = {"never_shared",	  "stale", "never_opened",
				      "fails_stage_test", "hurts", "no_effect",
				      "expired",	  NULL};
static const char *const decisions[] = {"keep", "refresh", "archive", "retire", "restore", NULL};

void h_reviews_queue(struct req *r)
{
	struct review_filter f = {0};
	int limit;
	char cursor[128];
	if (!req_keyset_page(r, &limit, cursor, sizeof cursor) ||
	    !req_query_int(r, "days", 90, 1, 3650, &f.days) ||
	    !req_query_int(r, "grace_days", 30, 0, 3650, &f.grace_days) ||
	    !req_query_filter(r, "persona", false, &f.persona) ||
	    !req_query_filter(r, "stage", false, &f.stage) ||
	    !req_query_filter(r, "owner", true, &f.owner))
		return;
	f.reason = req_query(r, "reason");
	if (f.reason != NULL && !one_of(f.reason, reasons)) {
		reply_error(r, ERR_INVALID_PARAMETER, "reason",
			    "reason is never_shared, stale, never_opened, fails_stage_test, hurts,"
			    " no_effect or expired");
		return;
	}
	const char *snoozed = req_query(r, "snoozed");
	f.snoozed = snoozed != NULL && strcmp(snoozed, "1") == 0;
	char *json = NULL, *next = NULL;
	enum db_status s = db_review_queue(&f, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}

void h_reviews_decide(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	const char *decision = NULL, *note = NULL;
	long long snooze = 90;
	struct js_field spec[] = {
	    JS_ONE_OF("decision", &decision, JS_REQUIRED, decisions),
	    JS_STR("note", &note, JS_REQUIRED, 1, 2000),
	    JS_INTEGER("snooze_days", &snooze, 0, 1, 3650),
	};
	if (!req_parse_json(r, spec, sizeof spec / sizeof spec[0]))
		return;
	if (json_object_get(r->json, "snooze_days") != NULL && strcmp(decision, "keep") != 0 &&
	    strcmp(decision, "refresh") != 0) {
		reply_error(r, ERR_INVALID_FIELD, "snooze_days",
			    "only keep and refresh hide an asset for a while");
		return;
	}
	char *json = NULL;
	struct db_fault f = {0};
	enum db_status s =
	    db_review_decide(r->user->id, id, decision, note, (int)snooze, &f, &json);
	reply_db_json(r, s, &f, 201, json);
}

void h_reviews_decisions(struct req *r)
{
	int limit;
	char cursor[32];
	if (!req_id_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *asset = NULL;
	if (!req_query_filter(r, "asset", true, &asset))
		return;
	char *json = NULL, *next = NULL;
	enum db_status s = db_review_decisions(asset, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}
