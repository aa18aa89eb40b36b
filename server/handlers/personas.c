/* /api/v1/personas: the buyer personas assets are tagged with. */
#include <stdlib.h>
#include "db_taxonomy.h"
#include "handlers.h"

static json_t *persona_json(const struct persona *p)
{
	return json_pack("{s:s, s:s, s:s?}", "slug", p->slug, "name", p->name, "description",
			 p->description);
}

/* Answers with @p (200/201) or the failure, and frees @p's strings. */
static void reply_persona(struct req *r, enum db_status s, unsigned status, struct persona *p)
{
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, status, persona_json(p));
	persona_clear(p);
}

void h_personas_list(struct req *r)
{
	struct persona *list;
	int n;
	enum db_status s = db_persona_list(&list, &n);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		json_array_append_new(items, persona_json(&list[i]));
		persona_clear(&list[i]);
	}
	free(list);
	reply_page(r, items, NULL);
}

void h_personas_create(struct req *r)
{
	const char *slug = NULL, *name = NULL, *description = NULL;
	struct js_field spec[] = {
	    JS_STR("slug", &slug, JS_REQUIRED, 1, SLUG_MAX),
	    JS_STR("name", &name, JS_REQUIRED, 1, NAME_MAX_BYTES),
	    JS_STR("description", &description, JS_NULLABLE, 0, 4000),
	};
	if (!req_parse_json(r, spec, 3))
		return;
	if (!slug_valid(slug)) {
		reply_error(r, ERR_INVALID_FIELD, "slug",
			    "slug must be lowercase letters, digits, '-' or '_'");
		return;
	}
	struct persona p = {0};
	enum db_status s = db_persona_create(r->user->id, slug, name, description, &p);
	if (s == DB_CONFLICT) {
		reply_error(r, ERR_CONFLICT, "slug", "persona %s exists", slug);
		return;
	}
	reply_persona(r, s, 201, &p);
}

void h_personas_update(struct req *r)
{
	const char *name = NULL, *description = NULL;
	bool has_description;
	struct js_field spec[] = {
	    JS_STR("name", &name, 0, 1, NAME_MAX_BYTES),
	    {"description", JS_STRING, JS_NULLABLE, &description, &has_description, 0, 4000, NULL},
	};
	if (!req_parse_json(r, spec, 2))
		return;
	struct persona p = {0};
	enum db_status s = db_persona_update(r->user->id, req_param(r, 0), name, description,
					     has_description && description == NULL, &p);
	reply_persona(r, s, 200, &p);
}

void h_personas_delete(struct req *r)
{
	enum db_status s = db_persona_delete(r->user->id, req_param(r, 0));
	if (s == DB_CONFLICT) {
		reply_error(r, ERR_CONFLICT, NULL,
			    "assets are tagged with persona %s; retag them first", req_param(r, 0));
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_empty(r, 204);
}
