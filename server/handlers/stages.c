/* /api/v1/stages: the ordered deal stages. */
#include <stdlib.h>
#include "db_taxonomy.h"
#include "handlers.h"

static const char *const outcomes[] = {"won", "lost", NULL};

static json_t *stage_json(const struct stage *st)
{
	return json_pack("{s:s, s:s, s:i, s:s?}", "slug", st->slug, "name", st->name, "position",
			 st->position, "outcome", st->outcome[0] ? st->outcome : NULL);
}

void h_stages_list(struct req *r)
{
	struct stage *list;
	int n;
	enum db_status s = db_stage_list(&list, &n);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items, stage_json(&list[i]));
	free(list);
	reply_page(r, items, NULL);
}

void h_stages_create(struct req *r)
{
	const char *slug = NULL, *name = NULL, *outcome = NULL;
	long long position = 0;
	struct js_field spec[] = {
	    JS_STR("slug", &slug, JS_REQUIRED, 1, SLUG_MAX),
	    JS_STR("name", &name, JS_REQUIRED, 1, NAME_MAX_BYTES),
	    JS_INTEGER("position", &position, 0, 1, 1000),
	    JS_ONE_OF("outcome", &outcome, JS_NULLABLE, outcomes),
	};
	if (!req_parse_json(r, spec, 4))
		return;
	if (!slug_valid(slug)) {
		reply_error(r, ERR_INVALID_FIELD, "slug",
			    "slug must be lowercase letters, digits, '-' or '_'");
		return;
	}
	struct stage st;
	enum db_status s = db_stage_create(r->user->id, slug, name, (int)position, outcome, &st);
	if (s == DB_CONFLICT) {
		reply_error(r, ERR_CONFLICT, "slug", "stage %s exists", slug);
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, 201, stage_json(&st));
}

void h_stages_update(struct req *r)
{
	const char *name = NULL, *outcome = NULL;
	long long position = 0;
	bool has_outcome;
	struct js_field spec[] = {
	    JS_STR("name", &name, 0, 1, NAME_MAX_BYTES),
	    JS_INTEGER("position", &position, 0, 1, 1000),
	    {"outcome", JS_ENUM, JS_NULLABLE, &outcome, &has_outcome, 0, 0, outcomes},
	};
	if (!req_parse_json(r, spec, 3))
		return;
	struct stage st;
	enum db_status s = db_stage_update(r->user->id, req_param(r, 0), name, (int)position,
					   has_outcome, outcome, &st);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, 200, stage_json(&st));
}
