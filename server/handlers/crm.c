/* POST /api/v1/hooks/crm: stage changes and deal fields pushed by the
 * CRM, idempotent by event_id. The route is signed (AUTH_SIGNED): the HTTP
 * layer verified the body's HMAC before this handler runs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "db_crm.h"
#include "handlers.h"

/* The fields we use; CRMs send many more, which are ignored. */
static const char *const fields[] = {"event_id", "external_id", "stage",       "at", "name",
				     "account",	 "amount",	"owner_email", NULL};

/* The deal fields the event gives (a null name keeps the name: a deal
 * always has one). */
static void given_fields(const json_t *body, struct crm_event *ev)
{
	static const char *const keys[] = {"name", "account", "amount", "owner_email"};
	static const char *const columns[] = {"name", "account", "amount", "owner"};
	size_t n = 0;
	for (size_t i = 0; i < 4; i++) {
		json_t *v = json_object_get(body, keys[i]);
		if (v != NULL && !(i == 0 && json_is_null(v)))
			ev->given[n++] = columns[i];
	}
	ev->given[n] = NULL;
}

void h_crm_hook(struct req *r)
{
	size_t len;
	const char *body = req_body(r, &len);
	json_error_t e;
	json_t *all = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(all)) {
		json_decref(all);
		reply_error(r, ERR_INVALID_JSON, NULL, "the body must be a JSON object");
		return;
	}
	r->json = json_object();
	for (const char *const *f = fields; *f; f++)
		if (json_object_get(all, *f) != NULL)
			json_object_set(r->json, *f, json_object_get(all, *f));
	json_decref(all);
	struct crm_event ev = {.amount = NAN, .stage_field = "stage"};
	struct js_field spec[] = {
	    JS_STR("event_id", &ev.event_id, JS_REQUIRED, 1, 200),
	    JS_STR("external_id", &ev.external_id, JS_REQUIRED, 1, 200),
	    JS_STR("stage", &ev.stage, JS_REQUIRED, 1, 200),
	    JS_STR("at", &ev.at, 0, 1, 40),
	    JS_STR("name", &ev.name, JS_NULLABLE, 1, 300),
	    JS_STR("account", &ev.account, JS_NULLABLE, 1, 300),
	    JS_NUMBER("amount", &ev.amount, JS_NULLABLE, 0, 10000000000000LL),
	    JS_STR("owner_email", &ev.owner_email, JS_NULLABLE, 3, EMAIL_MAX),
	};
	if (!req_parse_json(r, spec, sizeof spec / sizeof spec[0]))
		return;
	if (ev.at != NULL && !rfc3339_valid(ev.at)) {
		reply_error(r, ERR_INVALID_FIELD, "at", "at must be RFC 3339");
		return;
	}
	given_fields(r->json, &ev);
	char *deal = NULL;
	bool duplicate = false;
	struct db_fault f = {0};
	enum db_status s = db_crm_event(&ev, &duplicate, &f, &deal);
	if (s != DB_OK) {
		reply_fault(r, s, &f);
		return;
	}
	json_t *deal_json = deal ? json_loads(deal, 0, NULL) : NULL;
	free(deal);
	reply_json(r, 200,
		   json_pack("{s:b, s:o}", "duplicate", duplicate, "deal",
			     deal_json ? deal_json : json_null()));
}

/* /api/v1/stage-aliases: what the CRMs call our stages (names may contain
 * "/", so they travel in the body or the query, not the path). */
void h_aliases_list(struct req *r)
{
	char *json = NULL;
	enum db_status s = db_aliases_list(&json);
	reply_db_json(r, s, NULL, 200, json);
}

void h_aliases_set(struct req *r)
{
	const char *alias = NULL, *stage = NULL;
	struct js_field spec[] = {
	    JS_STR("alias", &alias, JS_REQUIRED, 1, 200),
	    JS_STR("stage", &stage, JS_REQUIRED, 1, SLUG_MAX),
	};
	if (!req_parse_json(r, spec, 2))
		return;
	struct db_fault f = {0};
	enum db_status s = db_alias_set(r->user->id, alias, stage, &f);
	if (s != DB_OK) {
		reply_fault(r, s, &f);
		return;
	}
	reply_json(r, 200, json_pack("{s:s, s:s}", "alias", alias, "stage", stage));
}

void h_aliases_delete(struct req *r)
{
	const char *alias = req_query(r, "alias");
	if (alias == NULL || *alias == '\0') {
		reply_error(r, ERR_INVALID_PARAMETER, "alias", "name the alias: ?alias=...");
		return;
	}
	enum db_status s = db_alias_delete(r->user->id, alias);
	if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}
