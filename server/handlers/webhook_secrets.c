/* /api/v1/webhook-secrets: admins manage the secrets that sign incoming
 * webhooks. A secret is shown once, in the answer that made it; lists show
 * labels, never values. Rotating keeps the old secret valid for an
 * overlap, so that no event is refused while the sender switches. Values
 * are sealed under NEXTSTAGE_SECRET_KEY when the server has one. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "crypto.h"
#include "db_webhook_secrets.h"
#include "handlers.h"

#define SECRET_MIN	  16
#define SECRET_MAX	  512
#define OVERLAP_DEFAULT_S 86400L
#define OVERLAP_MAX_S	  (30 * 86400L)
#define GENERATED_PREFIX  "whsec_"

static const char *const kinds[] = {"crm", "hubspot", NULL};

/* A secret to store: given, or made here; sealed when the server has a
 * key. Owns what it holds (free with value_clear). */
struct value {
	char made[sizeof GENERATED_PREFIX + TOKEN_CHARS];
	const char *plain;
	unsigned char *box;
	struct webhook_secret_new w;
};

static bool value_make(struct value *v, const char *given)
{
	memset(v, 0, sizeof *v);
	if (given == NULL)
		crypto_token(GENERATED_PREFIX, v->made);
	v->plain = given ? given : v->made;
	v->w.generated = given == NULL;
	size_t len = strlen(v->plain);
	if (!config.has_secret_key) {
		v->w.bytes = (const unsigned char *)v->plain;
		v->w.len = len;
		return true;
	}
	v->box = malloc(len + CRYPTO_SEAL_OVERHEAD);
	if (v->box == NULL)
		return false;
	crypto_seal(config.secret_key, v->plain, len, v->box);
	v->w.bytes = v->box;
	v->w.len = len + CRYPTO_SEAL_OVERHEAD;
	v->w.sealed = true;
	return true;
}

static void value_clear(struct value *v)
{
	free(v->box);
	crypto_wipe(v->made, sizeof v->made);
}

/* The listed secret @json (from the database; taken) with its value, as
 * shown once; NULL when out of memory or unreadable. */
static json_t *with_value(char *json, const char *plain)
{
	json_t *o = json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	if (o != NULL && json_object_set_new(o, "secret", json_string(plain)) != 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A refusal the database explained: with its field when it names one. */
static void reply_refused(struct req *r, enum db_status s, const struct db_fault *f)
{
	if (s == DB_CONFLICT && f->field == NULL && *f->detail)
		reply_error(r, ERR_CONFLICT, NULL, "%s", f->detail);
	else
		reply_fault(r, s, f);
}

void h_webhook_secrets_create(struct req *r)
{
	const char *kind = NULL, *label = NULL, *secret = NULL;
	struct js_field spec[] = {
	    JS_ONE_OF("kind", &kind, JS_REQUIRED, kinds),
	    JS_STR("label", &label, JS_REQUIRED, 1, 100),
	    JS_STR("secret", &secret, 0, SECRET_MIN, SECRET_MAX),
	};
	if (!req_parse_json(r, spec, 3))
		return;
	if (secret == NULL && strcmp(kind, "hubspot") == 0) {
		reply_error(r, ERR_MISSING_FIELD, "secret",
			    "a HubSpot client secret comes from HubSpot (the app's Auth "
			    "settings): give it as secret");
		return;
	}
	struct value v;
	if (!value_make(&v, secret)) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	v.w.kind = kind;
	v.w.label = label;
	char *json = NULL;
	struct db_fault f = {0};
	enum db_status s = db_webhook_secret_create(r->user->id, &v.w, &f, &json);
	json_t *o = s == DB_OK ? with_value(json, v.plain) : NULL;
	value_clear(&v);
	if (s != DB_OK)
		reply_refused(r, s, &f);
	else if (o == NULL)
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	else
		reply_json(r, 201, o);
}

void h_webhook_secrets_list(struct req *r)
{
	const char *kind = req_query(r, "kind"), *label = req_query(r, "label");
	if (kind != NULL && !one_of(kind, kinds)) {
		reply_error(r, ERR_INVALID_PARAMETER, "kind", "kind is crm or hubspot");
		return;
	}
	if (label != NULL && (*label == '\0' || strlen(label) > 100)) {
		reply_error(r, ERR_INVALID_PARAMETER, "label", "label is 1 to 100 bytes");
		return;
	}
	char *json = NULL;
	enum db_status s = db_webhook_secret_list(kind, label, &json);
	reply_db_page(r, s, json, NULL);
}

void h_webhook_secrets_rotate(struct req *r)
{
	const char *id = req_param(r, 0), *secret = NULL;
	long long overlap = OVERLAP_DEFAULT_S;
	struct js_field spec[] = {
	    JS_INTEGER("overlap_seconds", &overlap, 0, 0, OVERLAP_MAX_S),
	    JS_STR("secret", &secret, 0, SECRET_MIN, SECRET_MAX),
	};
	if (!uuid_valid(id)) {
		reply_error(r, ERR_NOT_FOUND, NULL, "no live webhook secret %s", id);
		return;
	}
	if (!req_parse_json(r, spec, 2))
		return;
	struct value v;
	if (!value_make(&v, secret)) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	char *json = NULL, *previous = NULL;
	struct db_fault f = {0};
	enum db_status s =
	    db_webhook_secret_rotate(r->user->id, id, &v.w, (long)overlap, &f, &json, &previous);
	json_t *o = s == DB_OK ? with_value(json, v.plain) : NULL;
	json_t *old = s == DB_OK && previous ? json_loads(previous, 0, NULL) : NULL;
	free(previous);
	value_clear(&v);
	if (o != NULL && (old == NULL || json_object_set_new(o, "previous", old) != 0)) {
		json_decref(o);
		o = NULL;
	} else if (o == NULL) {
		json_decref(old);
	}
	if (s != DB_OK)
		reply_refused(r, s, &f);
	else if (o == NULL)
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	else
		reply_json(r, 201, o);
}

void h_webhook_secrets_revoke(struct req *r)
{
	const char *id = req_param(r, 0);
	enum db_status s =
	    uuid_valid(id) ? db_webhook_secret_revoke(r->user->id, id) : DB_NOT_FOUND;
	if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}
