/* POST /api/v1/hooks/hubspot: HubSpot's own webhook, a JSON array of
 * events. Deal stage changes (deal.propertyChange of dealstage) move the
 * deal whose external_id is the event's objectId (the "Record ID" of
 * HubSpot's export), its stage id mapped through the stage aliases;
 * deal.creation makes an unknown deal. Other events are acknowledged and
 * ignored. Each event is applied in a transaction of its own, idempotent
 * by HubSpot's eventId and time. The route is signed
 * (AUTH_SIGNED_HUBSPOT): the HTTP layer verified X-HubSpot-Signature-v3
 * before this handler runs. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db_crm.h"
#include "handlers.h"
#include "log.h"

#define HUBSPOT_EVENTS_MAX 1000
/* occurredAt up to the end of 9999 (ms since the epoch). */
#define OCCURRED_MAX 253402300799999LL

/* The tally of a batch. */
struct batch {
	json_int_t accepted, duplicates, ignored;
	json_t *rejected;
};

/* A JSON integer in [0, @max] into *@out. */
static bool integer_of(const json_t *o, const char *key, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return false;
	*out = json_integer_value(v);
	return true;
}

/* @ms since the epoch as RFC 3339 UTC with milliseconds. */
static void rfc3339_ms(json_int_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

/* What event @o asks for: into @ev (with the texts it points to in @id,
 * @object and @at); "ignore" for events this server does not follow, or
 * NULL. A fault names its field in *@field and returns its sentence. */
static const char *shape_fault(const json_t *o, struct crm_event *ev, char id[96], char object[24],
			       char at[32], const char **field, bool *ignore)
{
	json_int_t event_id, object_id, occurred;
	*ignore = false;
	if (!json_is_object(o))
		return *field = NULL, "an event is a JSON object";
	if (!integer_of(o, "eventId", INT64_MAX, &event_id))
		return *field = "eventId", "eventId is a non-negative integer";
	const char *type = json_string_value(json_object_get(o, "subscriptionType"));
	const char *property = json_string_value(json_object_get(o, "propertyName"));
	if (type == NULL)
		return *field = "subscriptionType", "subscriptionType is a string";
	bool creation = strcmp(type, "deal.creation") == 0;
	if (!creation && !(strcmp(type, "deal.propertyChange") == 0 && property != NULL &&
			   strcmp(property, "dealstage") == 0)) {
		*ignore = true;
		return NULL;
	}
	if (!integer_of(o, "objectId", INT64_MAX, &object_id) || object_id == 0)
		return *field = "objectId", "objectId is the deal's id, a positive integer";
	if (!integer_of(o, "occurredAt", OCCURRED_MAX, &occurred))
		return *field = "occurredAt", "occurredAt is milliseconds since 1970";
	ev->stage = creation ? NULL : json_string_value(json_object_get(o, "propertyValue"));
	if (!creation && (ev->stage == NULL || *ev->stage == '\0' || strlen(ev->stage) > 200))
		return *field = "propertyValue", "propertyValue is the stage id, 1 to 200 bytes";
	snprintf(object, 24, "%lld", (long long)object_id);
	rfc3339_ms(occurred, at);
	/* HubSpot's eventId alone is not guaranteed unique: with the time and
	 * the deal it is. */
	snprintf(id, 96, "hubspot:%lld:%lld:%lld", (long long)event_id, (long long)occurred,
		 (long long)object_id);
	ev->event_id = id;
	ev->external_id = object;
	ev->at = at;
	ev->stage_field = "propertyValue";
	return NULL;
}

/* Records that event @i was refused; false when out of memory. */
static bool reject(struct batch *b, size_t i, const json_t *o, const char *code, const char *field,
		   const char *detail)
{
	json_t *event_id = json_is_object(o) ? json_object_get(o, "eventId") : NULL;
	log_msg("warn", "HubSpot event %zu (eventId %lld) refused: %s%s%s", i,
		json_is_integer(event_id) ? (long long)json_integer_value(event_id) : -1LL,
		field ? field : "", field ? ": " : "", detail);
	json_t *r = json_pack("{s:I, s:O?, s:s, s:s?, s:s}", "index", (json_int_t)i, "eventId",
			      event_id, "code", code, "field", field, "detail", detail);
	return r != NULL && json_array_append_new(b->rejected, r) == 0;
}

/* Applies event @i; DB_OK unless the database failed (the request then
 * fails: HubSpot sends the batch again, and what was applied is a
 * duplicate then). */
static enum db_status apply(struct batch *b, size_t i, const json_t *o)
{
	struct crm_event ev = {.amount = NAN};
	char id[96], object[24], at[32];
	const char *field = NULL;
	bool ignore;
	const char *why = shape_fault(o, &ev, id, object, at, &field, &ignore);
	if (ignore) {
		b->ignored++;
		return DB_OK;
	}
	if (why != NULL)
		return reject(b, i, o, err_code(ERR_INVALID_FIELD), field, why) ? DB_OK : DB_ERROR;
	bool duplicate = false;
	struct db_fault f = {0};
	char *deal = NULL;
	enum db_status s = db_crm_event(&ev, &duplicate, &f, &deal);
	free(deal);
	if (s == DB_INVALID)
		return reject(b, i, o, err_code(f.missing ? ERR_MISSING_FIELD : ERR_INVALID_FIELD),
			      f.field, f.detail)
			   ? DB_OK
			   : DB_ERROR;
	if (s == DB_OK)
		*(duplicate ? &b->duplicates : &b->accepted) += 1;
	return s;
}

void h_hubspot_hook(struct req *r)
{
	size_t len;
	const char *body = req_body(r, &len);
	json_error_t e;
	json_t *events = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_array(events)) {
		json_decref(events);
		reply_error(r, ERR_INVALID_JSON, NULL, "the body must be a JSON array of events");
		return;
	}
	if (json_array_size(events) > HUBSPOT_EVENTS_MAX) {
		json_decref(events);
		reply_error(r, ERR_PAYLOAD_TOO_LARGE, NULL, "at most %d events a request",
			    HUBSPOT_EVENTS_MAX);
		return;
	}
	struct batch b = {.rejected = json_array()};
	enum db_status s = b.rejected ? DB_OK : DB_ERROR;
	for (size_t i = 0; s == DB_OK && i < json_array_size(events); i++)
		s = apply(&b, i, json_array_get(events, i));
	json_decref(events);
	if (s != DB_OK) {
		json_decref(b.rejected);
		reply_db(r, s);
		return;
	}
	reply_json(r, 200,
		   json_pack("{s:I, s:I, s:I, s:o}", "accepted", b.accepted, "duplicates",
			     b.duplicates, "ignored", b.ignored, "rejected", b.rejected));
}
