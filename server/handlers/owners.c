/* /api/v1/people and /api/v1/owner-aliases (marketers): the people deals
 * can belong to, and what CRM exports call them. An import matches a
 * deal's owner by e-mail, by full name, or by one of these aliases (case,
 * accents and extra spaces aside, as names are compared), so that a
 * marketer can map an owner a dry run reported unmatched and import
 * again. Names may contain "/", so they travel in the body or the query,
 * not the path. */
#include <stdlib.h>
#include <string.h>
#include "db_owners.h"
#include "handlers.h"
#include "import_values.h"

#define ALIAS_MAX 300

void h_people_list(struct req *r)
{
	char *json = NULL;
	enum db_status s = db_people_list(&json);
	reply_db_json(r, s, NULL, 200, json);
}

void h_owner_aliases_list(struct req *r)
{
	char *json = NULL;
	enum db_status s = db_owner_aliases_list(&json);
	reply_db_json(r, s, NULL, 200, json);
}

/* The folded form of @alias into @folded; false (answered 400 naming
 * @field) when nothing is left of it. */
static bool fold(struct req *r, const char *alias, const char *field, char folded[ALIAS_MAX + 1])
{
	imp_fold_name(alias, folded, ALIAS_MAX + 1);
	if (folded[0] != '\0')
		return true;
	reply_error(r, ERR_INVALID_FIELD, field, "%s must name someone", field);
	return false;
}

void h_owner_aliases_set(struct req *r)
{
	const char *alias = NULL, *user_id = NULL;
	struct js_field spec[] = {
	    JS_STR("alias", &alias, JS_REQUIRED, 1, ALIAS_MAX),
	    JS_STR("user_id", &user_id, JS_REQUIRED, 1, UUID_LEN),
	};
	if (!req_parse_json(r, spec, 2))
		return;
	char folded[ALIAS_MAX + 1];
	if (!fold(r, alias, "alias", folded))
		return;
	if (!uuid_valid(user_id)) {
		reply_error(r, ERR_INVALID_FIELD, "user_id", "user_id is a user's id");
		return;
	}
	/* Kept as written, less the spaces around it. */
	size_t start = strspn(alias, " \t"), len = strlen(alias + start);
	while (len > 0 && (alias[start + len - 1] == ' ' || alias[start + len - 1] == '\t'))
		len--;
	char trimmed[ALIAS_MAX + 1];
	memcpy(trimmed, alias + start, len);
	trimmed[len] = '\0';
	struct db_fault f = {0};
	char *json = NULL;
	enum db_status s = db_owner_alias_set(r->user->id, folded, trimmed, user_id, &f, &json);
	reply_db_json(r, s, &f, 200, json);
}

void h_owner_aliases_delete(struct req *r)
{
	const char *alias = req_query(r, "alias");
	char folded[ALIAS_MAX + 1];
	if (alias == NULL || *alias == '\0' || strlen(alias) > ALIAS_MAX) {
		reply_error(r, ERR_INVALID_PARAMETER, "alias", "name the alias: ?alias=...");
		return;
	}
	imp_fold_name(alias, folded, sizeof folded);
	enum db_status s = folded[0] ? db_owner_alias_delete(r->user->id, folded) : DB_NOT_FOUND;
	if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}
