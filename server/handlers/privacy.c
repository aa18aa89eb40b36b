/* POST /api/v1/erasures: an admin erases a person (not a user) by e-mail. */
#include <stdlib.h>
#include "db_privacy.h"
#include "handlers.h"

void h_erasures_create(struct req *r)
{
	const char *email = NULL;
	struct js_field spec[] = {JS_STR("email", &email, JS_REQUIRED, 3, EMAIL_MAX)};
	if (!req_parse_json(r, spec, 1))
		return;
	if (!email_valid(email)) {
		reply_error(r, ERR_INVALID_FIELD, "email", "email is not an e-mail address");
		return;
	}
	struct db_fault f = {0};
	char *json = NULL;
	enum db_status s = db_erase_person(r->user->id, email, &f, &json);
	reply_db_json(r, s, &f, 200, json);
}
