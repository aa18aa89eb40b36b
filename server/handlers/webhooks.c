/* /api/v1/webhooks and /api/v1/deliveries: admins subscribe receivers to
 * events, see how the deliveries went and send them again. A webhook's
 * secret is shown once, in the answer that made it; it signs every
 * delivery (README, "Outgoing webhooks"). Secrets are sealed under
 * NEXTSTAGE_SECRET_KEY when the server has one. */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "crypto.h"
#include "db_outbox.h"
#include "db_webhooks.h"
#include "handlers.h"

#define EVENTS_MAX 20
#define SECRET_MIN 16
#define SECRET_MAX 512
#define PREFIX	   "whsec_"

static const char *const events[] = {
    "share.opened",    "lead.sales_ready", "request.created",	 "request.fulfilled",
    "verdict.changed", "review.decided",   "deal.stage_changed", NULL};
static const char *const formats[] = {"json", "slack", NULL};
static const char *const states[] = {"pending", "delivered", "failed", NULL};
static const char *const channels[] = {"webhook", "email", NULL};

/* Parses a webhook's fields from the body (all required when @create);
 * @events_given is filled; answers 400 and returns false when wrong. */
static bool parse(struct req *r, bool create, struct webhook_fields *f,
		  const char *given[EVENTS_MAX + 1], const char **secret)
{
	bool active = true, has_active = false;
	struct js_field spec[] = {
	    JS_STR("url", &f->url, create ? JS_REQUIRED : 0, 10, 2000),
	    JS_STR_ARRAY("events", given, create ? JS_REQUIRED : 0, 1, EVENTS_MAX),
	    JS_ONE_OF("format", &f->format, 0, formats),
	    JS_STR("label", &f->label, create ? JS_REQUIRED : 0, 1, 200),
	    JS_BOOLEAN("active", &active, 0),
	    JS_STR("secret", secret, 0, SECRET_MIN, SECRET_MAX),
	};
	spec[4].present = &has_active;
	if (!req_parse_json(r, spec, create ? 6 : 5))
		return false;
	if (f->url != NULL && !http_url_valid(f->url)) {
		reply_error(r, ERR_INVALID_FIELD, "url",
			    "url is an absolute http:// or https:// URL");
		return false;
	}
	for (size_t i = 0; given[i] != NULL; i++)
		if (!one_of(given[i], events)) {
			reply_error(r, ERR_INVALID_FIELD, "events",
				    "%s is not an event: share.opened, lead.sales_ready,"
				    " request.created, request.fulfilled, verdict.changed,"
				    " review.decided or deal.stage_changed",
				    given[i]);
			return false;
		}
	f->events = given[0] != NULL ? given : NULL;
	f->active = has_active ? (active ? "t" : "f") : NULL;
	return true;
}

void h_webhooks_create(struct req *r)
{
	struct webhook_fields f = {0};
	const char *given[EVENTS_MAX + 1] = {0}, *secret = NULL;
	if (!parse(r, true, &f, given, &secret))
		return;
	char made[sizeof PREFIX + TOKEN_CHARS];
	if (secret == NULL)
		crypto_token(PREFIX, made);
	const char *plain = secret ? secret : made;
	size_t len = strlen(plain);
	unsigned char *box = NULL;
	if (config.has_secret_key && (box = malloc(len + CRYPTO_SEAL_OVERHEAD)) != NULL)
		crypto_seal(config.secret_key, plain, len, box);
	char *json = NULL;
	enum db_status s =
	    config.has_secret_key && box == NULL
		? DB_ERROR
		: db_webhook_create(r->user->id, &f, box ? box : (const unsigned char *)plain,
				    box ? len + CRYPTO_SEAL_OVERHEAD : len, box != NULL, &json);
	free(box);
	json_t *o = s == DB_OK ? json_loads(json, 0, NULL) : NULL;
	free(json);
	if (o != NULL && json_object_set_new(o, "secret", json_string(plain)) != 0) {
		json_decref(o);
		o = NULL;
	}
	crypto_wipe(made, sizeof made);
	if (s != DB_OK)
		reply_db(r, s);
	else if (o == NULL)
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	else
		reply_json(r, 201, o);
}

void h_webhooks_list(struct req *r)
{
	char *json = NULL;
	enum db_status s = db_webhook_list(&json);
	reply_db_page(r, s, json, NULL);
}

void h_webhooks_update(struct req *r)
{
	const char *id = req_param(r, 0), *secret = NULL;
	struct webhook_fields f = {0};
	const char *given[EVENTS_MAX + 1] = {0};
	if (!uuid_valid(id)) {
		reply_error(r, ERR_NOT_FOUND, NULL, "no webhook %s", id);
		return;
	}
	if (!parse(r, false, &f, given, &secret))
		return;
	char *json = NULL;
	enum db_status s = db_webhook_update(r->user->id, id, &f, &json);
	reply_db_json(r, s, NULL, 200, json);
}

void h_webhooks_delete(struct req *r)
{
	const char *id = req_param(r, 0);
	enum db_status s = uuid_valid(id) ? db_webhook_delete(r->user->id, id) : DB_NOT_FOUND;
	if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}

void h_webhooks_ping(struct req *r)
{
	const char *id = req_param(r, 0);
	char *json = NULL;
	enum db_status s = uuid_valid(id) ? db_webhook_ping(r->user->id, id, &json) : DB_NOT_FOUND;
	reply_db_json(r, s, NULL, 202, json);
}

void h_deliveries_list(struct req *r)
{
	const char *state = req_query(r, "state"), *webhook = req_query(r, "webhook"),
		   *channel = req_query(r, "channel");
	if (state != NULL && !one_of(state, states)) {
		reply_error(r, ERR_INVALID_PARAMETER, "state",
			    "state is pending, delivered or failed");
		return;
	}
	if (webhook != NULL && !uuid_valid(webhook)) {
		reply_error(r, ERR_INVALID_PARAMETER, "webhook", "webhook is a webhook's id");
		return;
	}
	if (channel != NULL && !one_of(channel, channels)) {
		reply_error(r, ERR_INVALID_PARAMETER, "channel", "channel is webhook or email");
		return;
	}
	int limit;
	char cursor[32];
	if (!req_id_page(r, &limit, cursor, sizeof cursor))
		return;
	char *json = NULL, *next = NULL;
	enum db_status s =
	    db_outbox_list(state, webhook, channel, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}

void h_deliveries_redeliver(struct req *r)
{
	const char *id = req_param(r, 0);
	bool numeric = *id && strlen(id) < 19 && strspn(id, "0123456789") == strlen(id);
	char *json = NULL;
	enum db_status s = numeric ? db_outbox_redeliver(r->user->id, id, &json) : DB_NOT_FOUND;
	if (s == DB_CONFLICT)
		reply_error(r, ERR_CONFLICT, NULL, "delivery %s is still pending", id);
	else
		reply_db_json(r, s, NULL, 202, json);
}
