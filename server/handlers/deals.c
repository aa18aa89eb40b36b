/* /api/v1/deals: the deals reps work and their stage timelines. Reps see
 * and change only the deals they own; marketers and admins all of them. */
#include <math.h>
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

/* Reads a deal body (r->json) into @d: @create requires name and stage,
 * an update may not carry them. False when answered with a 400/403. */
static bool read_deal(struct req *r, bool create, struct deal_fields *d)
{
	unsigned req = create ? JS_REQUIRED : 0;
	struct js_field spec[] = {
	    JS_STR("external_id", &d->external_id, JS_NULLABLE, 1, 200),
	    JS_STR("name", &d->name, req, 1, 300),
	    JS_STR("account", &d->account, JS_NULLABLE, 1, 300),
	    JS_STR("owner", &d->owner, 0, 1, UUID_LEN),
	    JS_NUMBER("amount", &d->amount, JS_NULLABLE, 0, 10000000000000LL),
	    JS_STR_ARRAY("personas", d->personas, 0, 0, DEAL_PERSONAS_MAX),
	    JS_STR("stage", &d->stage, req, 1, SLUG_MAX),
	    JS_STR("at", &d->at, 0, 1, 40),
	};
	size_t n = create ? 8 : 6;
	*d = (struct deal_fields){.amount = NAN};
	if (!req_parse_json(r, spec, n))
		return false;
	js_given(r->json, spec, n, d->given);
	if (d->owner != NULL && !uuid_valid(d->owner)) {
		reply_error(r, ERR_INVALID_FIELD, "owner", "owner must be a user id");
		return false;
	}
	if (d->owner != NULL && r->user->role == ROLE_REP && strcmp(d->owner, r->user->id) != 0) {
		reply_error(r, ERR_FORBIDDEN, "owner", "a rep's deals are the rep's own");
		return false;
	}
	if (d->at != NULL && !rfc3339_valid(d->at)) {
		reply_error(r, ERR_INVALID_FIELD, "at", "at must be RFC 3339");
		return false;
	}
	return true;
}

void h_deals_create(struct req *r)
{
	struct deal_fields d;
	if (!read_deal(r, true, &d))
		return;
	char *json = NULL;
	struct db_fault f = {0};
	enum db_status s = db_deal_create(r->user->id, &d, &f, &json);
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
	struct deal_fields d;
	if (!read_deal(r, false, &d))
		return;
	char *json = NULL;
	struct db_fault f = {0};
	enum db_status s = db_deal_update(r->user->id, id, owner_only(r), &d, &f, &json);
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
