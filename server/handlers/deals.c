/* /api/v1/deals: the deals reps work and their stage timelines. Reps see
 * and change only the deals they own; marketers and admins all of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_deals.h"
#include "handlers.h"

/* The owner a call is restricted to: the rep's own id, or NULL. */
static const char *owner_only(const struct req *r)
{
	return r->user->role == ROLE_REP ? r->user->id : NULL;
}

/* Checks a deal body (r->json): @create requires name and stage, an
 * update may not carry them. False when answered with a 400/403. */
static bool check_deal(struct req *r, bool create)
{
	const char *external_id = NULL, *name = NULL, *account = NULL, *owner = NULL, *stage = NULL,
		   *at = NULL;
	json_t *personas = NULL;
	double amount = 0;
	unsigned req = create ? JS_REQUIRED : 0;
	struct js_field spec[] = {
	    JS_STR("external_id", &external_id, JS_NULLABLE, 1, 200),
	    JS_STR("name", &name, req, 1, 300),
	    JS_STR("account", &account, JS_NULLABLE, 1, 300),
	    JS_STR("owner", &owner, 0, 1, UUID_LEN),
	    JS_NUMBER("amount", &amount, JS_NULLABLE, 0, 10000000000000LL),
	    JS_STR_ARRAY("personas", &personas, 0, 0, 20),
	    JS_STR("stage", &stage, req, 1, SLUG_MAX),
	    JS_STR("at", &at, 0, 1, 40),
	};
	if (!req_parse_json(r, spec, create ? 8 : 6))
		return false;
	if (owner != NULL && !uuid_valid(owner)) {
		reply_error(r, ERR_INVALID_FIELD, "owner", "owner must be a user id");
		return false;
	}
	if (owner != NULL && r->user->role == ROLE_REP && strcmp(owner, r->user->id) != 0) {
		reply_error(r, ERR_FORBIDDEN, "owner", "a rep's deals are the rep's own");
		return false;
	}
	if (at != NULL && !rfc3339_valid(at)) {
		reply_error(r, ERR_INVALID_FIELD, "at", "at must be RFC 3339");
		return false;
	}
	return true;
}

void h_deals_create(struct req *r)
{
	if (!check_deal(r, true))
		return;
	char *body = json_dumps(r->json, JSON_COMPACT), *json = NULL;
	struct db_fault f = {0};
	enum db_status s = body ? db_deal_create(r->user->id, body, &f, &json) : DB_ERROR;
	free(body);
	reply_db_json(r, s, &f, 201, json);
}

void h_deals_get(struct req *r)
{
	const char *id = req_param(r, 0);
	char *json = NULL;
	enum db_status s = uuid_valid(id) ? db_deal_get(id, owner_only(r), &json) : DB_NOT_FOUND;
	reply_db_json(r, s, NULL, 200, json);
}

void h_deals_update(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	if (!check_deal(r, false))
		return;
	char *body = json_dumps(r->json, JSON_COMPACT), *json = NULL;
	struct db_fault f = {0};
	enum db_status s =
	    body ? db_deal_update(r->user->id, id, owner_only(r), body, &f, &json) : DB_ERROR;
	free(body);
	reply_db_json(r, s, &f, 200, json);
}

void h_deals_stage(struct req *r)
{
	const char *id = req_param(r, 0), *stage = NULL, *at = NULL;
	struct js_field spec[] = {
	    JS_STR("stage", &stage, JS_REQUIRED, 1, SLUG_MAX),
	    JS_STR("at", &at, 0, 1, 40),
	};
	if (!req_parse_json(r, spec, 2))
		return;
	if (at != NULL && !rfc3339_valid(at)) {
		reply_error(r, ERR_INVALID_FIELD, "at", "at must be RFC 3339");
		return;
	}
	char *json = NULL;
	struct db_fault f = {0};
	enum db_status s = uuid_valid(id) ? db_deal_stage(r->user->id, id, owner_only(r), stage, at,
							  DEAL_SOURCE_API, &f, &json)
					  : DB_NOT_FOUND;
	reply_db_json(r, s, &f, 200, json);
}

void h_deals_list(struct req *r)
{
	int limit;
	char cursor[128];
	if (!req_keyset_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *owner = req_query(r, "owner"), *stage = req_query(r, "stage"),
		   *q = req_query(r, "q");
	if (owner != NULL && strcmp(owner, "me") == 0)
		owner = r->user->id;
	if (owner != NULL && !uuid_valid(owner)) {
		reply_error(r, ERR_INVALID_PARAMETER, "owner", "owner is me or a user id");
		return;
	}
	if (owner_only(r) != NULL) {
		if (owner != NULL && strcmp(owner, r->user->id) != 0) {
			reply_error(r, ERR_FORBIDDEN, "owner", "reps see their own deals");
			return;
		}
		owner = r->user->id;
	}
	char *json = NULL, *next = NULL;
	enum db_status s =
	    db_deal_list(owner, stage, q ? q : "", *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}
