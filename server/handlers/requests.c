/* /api/v1/requests: reps ask for content that is missing; marketers
 * assign, plan, fulfil or decline it. Reps see their own requests. */
#include <stdlib.h>
#include <string.h>
#include "db_requests.h"
#include "handlers.h"

static const char *const statuses[] = {"open",	    "planned",	"in_progress",
				       "fulfilled", "declined", NULL};

void h_requests_create(struct req *r)
{
	const char *title = NULL, *persona = NULL, *stage = NULL, *deal = NULL, *detail = NULL;
	struct js_field spec[] = {
	    JS_STR("title", &title, JS_REQUIRED, 1, 300),
	    JS_STR("persona", &persona, JS_NULLABLE, 1, SLUG_MAX),
	    JS_STR("stage", &stage, JS_NULLABLE, 1, SLUG_MAX),
	    JS_STR("deal_id", &deal, JS_NULLABLE, 1, UUID_LEN),
	    JS_STR("detail", &detail, JS_NULLABLE, 1, 5000),
	};
	if (!req_parse_json(r, spec, sizeof spec / sizeof spec[0]))
		return;
	if (deal != NULL && !uuid_valid(deal)) {
		reply_error(r, ERR_INVALID_FIELD, "deal_id", "deal_id must be a deal id");
		return;
	}
	char *body = json_dumps(r->json, JSON_COMPACT), *json = NULL;
	struct db_fault f = {0};
	enum db_status s =
	    body ? db_request_create(r->user->id, r->user->role == ROLE_REP ? r->user->id : NULL,
				     body, &f, &json)
		 : DB_ERROR;
	free(body);
	reply_db_json(r, s, &f, 201, json);
}

void h_requests_list(struct req *r)
{
	int limit;
	char cursor[128];
	if (!req_keyset_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *status = req_query(r, "status"), *mine = req_query(r, "mine");
	if (status != NULL && !one_of(status, statuses)) {
		reply_error(r, ERR_INVALID_PARAMETER, "status",
			    "status is open, planned, in_progress, fulfilled or declined");
		return;
	}
	bool own = r->user->role == ROLE_REP || (mine != NULL && strcmp(mine, "1") == 0);
	char *json = NULL, *next = NULL;
	enum db_status s = db_request_list(own ? r->user->id : NULL, status,
					   *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}

void h_requests_update(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	const char *status = NULL, *asset = NULL, *reason = NULL, *assignee = NULL;
	bool has_assignee = false;
	struct js_field spec[] = {
	    JS_ONE_OF("status", &status, 0, statuses),
	    JS_STR("asset_id", &asset, 0, 1, UUID_LEN),
	    JS_STR("decline_reason", &reason, 0, 1, 2000),
	    {"assignee", JS_STRING, JS_NULLABLE, &assignee, &has_assignee, 1, UUID_LEN, NULL},
	};
	if (!req_parse_json(r, spec, sizeof spec / sizeof spec[0]))
		return;
	if (status == NULL && !has_assignee) {
		reply_error(r, ERR_MISSING_FIELD, "status",
			    "a change gives a status, an assignee or both");
		return;
	}
	if (asset != NULL && !uuid_valid(asset)) {
		reply_error(r, ERR_INVALID_FIELD, "asset_id", "asset_id must be an asset id");
		return;
	}
	if (assignee != NULL && !uuid_valid(assignee)) {
		reply_error(r, ERR_INVALID_FIELD, "assignee", "assignee must be a user id");
		return;
	}
	if (status != NULL && strcmp(status, "fulfilled") == 0 && asset == NULL) {
		reply_error(r, ERR_MISSING_FIELD, "asset_id",
			    "a fulfilled request names its asset");
		return;
	}
	if (status != NULL && strcmp(status, "declined") == 0 && reason == NULL) {
		reply_error(r, ERR_MISSING_FIELD, "decline_reason", "a declined request says why");
		return;
	}
	char *body = json_dumps(r->json, JSON_COMPACT), *json = NULL;
	struct db_fault f = {0};
	enum db_status s = body ? db_request_update(r->user->id, id, body, &f, &json) : DB_ERROR;
	free(body);
	reply_db_json(r, s, &f, 200, json);
}
