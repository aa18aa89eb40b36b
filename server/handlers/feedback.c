/* POST /api/v1/assets/{id}/feedback: a user's answer about an asset (one
 * current answer each; a new one replaces it, the old one is kept). */
#include <stdlib.h>
#include "db_feedback.h"
#include "handlers.h"

void h_feedback_give(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!uuid_valid(id)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	bool me = false, prospect = false, own = false;
	long long rating = 0;
	const char *comment = NULL, *own_text = NULL;
	struct js_field spec[] = {
	    JS_BOOLEAN("useful_to_me", &me, JS_NULLABLE),
	    JS_BOOLEAN("useful_to_prospect", &prospect, JS_NULLABLE),
	    JS_INTEGER("rating", &rating, JS_NULLABLE, 1, 5),
	    JS_STR("comment", &comment, JS_NULLABLE, 1, 2000),
	    JS_BOOLEAN("made_own", &own, 0),
	    JS_STR("made_own_text", &own_text, JS_NULLABLE, 1, 2000),
	};
	if (!req_parse_json(r, spec, sizeof spec / sizeof spec[0]))
		return;
	if (json_object_size(r->json) == 0) {
		reply_error(r, ERR_MISSING_FIELD, "rating",
			    "give at least one answer (useful_to_me, useful_to_prospect, rating,"
			    " comment, made_own)");
		return;
	}
	char *body = json_dumps(r->json, JSON_COMPACT), *json = NULL;
	enum db_status s =
	    body ? db_feedback_give(id, r->user->id, r->user->role == ROLE_REP, body, &json)
		 : DB_ERROR;
	free(body);
	reply_db_json(r, s, NULL, 201, json);
}
