/* POST /api/v1/events: batches of events from trackers and CRMs (a JSON
 * array or NDJSON, up to EVENTS_MAX). Each event is checked here for its
 * shape; the good ones go to the database in one group-committed job
 * (db_ingest.h: the database checks what only it knows), and the request
 * is answered 202 only once they are committed. */
#include <stdlib.h>
#include <string.h>
#include "db_ingest.h"
#include "handlers.h"

#define EVENTS_MAX 10000

static const char *const types[] = {"share", "open", "download", "stage_change", NULL};
static const char *const channels[] = {"email", "link", "social", "meeting", "other", NULL};

/* The events of @body: a JSON array, or one JSON object per line. NULL
 * with @why when it is neither. */
static json_t *parse_events(const char *body, size_t len, char *why, size_t whylen)
{
	json_error_t e;
	size_t skip = strspn(body, " \t\r\n");
	if (skip < len && body[skip] == '[') {
		json_t *a = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
		if (!json_is_array(a))
			snprintf(why, whylen, "line %d: %s", e.line, e.text);
		return json_is_array(a) ? a : (json_decref(a), NULL);
	}
	json_t *a = json_array();
	for (const char *line = body, *end = body + len; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (strspn(line, " \t\r") < n) {
			json_t *o = json_loadb(line, n, JSON_REJECT_DUPLICATES, &e);
			if (o == NULL) {
				snprintf(why, whylen, "NDJSON line %zu: %s", json_array_size(a) + 1,
					 e.text);
				json_decref(a);
				return NULL;
			}
			json_array_append_new(a, o);
		}
		line += n + 1;
	}
	return a;
}

/* Why event @e's shape is wrong (a field name and a sentence), or NULL. */
static const char *shape_fault(const json_t *e, const char **field)
{
	if (!json_is_object(e))
		return *field = NULL, "an event is a JSON object";
	const char *id = json_string_value(json_object_get(e, "id"));
	const char *type = json_string_value(json_object_get(e, "type")), *at, *s;
	if (id == NULL || *id == '\0' || strlen(id) > 200)
		return *field = "id", "id is a string of 1 to 200 bytes";
	if (!one_of(type, types))
		return *field = "type", "type is share, open, download or stage_change";
	at = json_string_value(json_object_get(e, "at"));
	if (json_object_get(e, "at") && (at == NULL || !rfc3339_valid(at)))
		return *field = "at", "at must be RFC 3339";
	const char *need = strcmp(type, "share") == 0	   ? "asset_id"
			   : strcmp(type, "open") == 0	   ? NULL
			   : strcmp(type, "download") == 0 ? "asset_id"
							   : "stage";
	if (need && !json_is_string(json_object_get(e, need)))
		return *field = need, "this field is required for this type";
	if (strcmp(type, "share") == 0) {
		if (!json_is_string(json_object_get(e, "rep_email")))
			return *field = "rep_email", "a share names the rep who shared";
		s = json_string_value(json_object_get(e, "channel"));
		if (json_object_get(e, "channel") && !one_of(s, channels))
			return *field = "channel",
			       "channel is email, link, social, meeting or other";
	}
	if (strcmp(type, "open") == 0 && !json_is_string(json_object_get(e, "share_id")) &&
	    !json_is_string(json_object_get(e, "token")))
		return *field = "share_id", "an open names its share_id or token";
	if (strcmp(type, "stage_change") == 0 && !json_is_string(json_object_get(e, "deal_id")) &&
	    !json_is_string(json_object_get(e, "deal_external_id")))
		return *field = "deal_id", "a stage change names deal_id or deal_external_id";
	const char *ids[] = {"asset_id", "deal_id", "share_id"};
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(e, ids[i]);
		if (v && (!json_is_string(v) || !uuid_valid(json_string_value(v))))
			return *field = ids[i], "not an id";
	}
	return NULL;
}

struct ingest {
	struct db_ingest job;
	json_t *rejected; /* the shape faults, by original index */
	json_t *index;	  /* original index of each event sent to the database */
};

static void ingest_clear(void *p)
{
	struct ingest *in = p;
	json_decref(in->rejected);
	json_decref(in->index);
	db_ingest_clear(&in->job);
}

/* The API's code for a refused event. */
static const char *refusal_code(const struct db_ingest_refusal *f)
{
	return err_code(f->status == DB_NOT_FOUND ? ERR_NOT_FOUND
			: f->fault.missing	  ? ERR_MISSING_FIELD
						  : ERR_INVALID_FIELD);
}

/* Second run: the batch is committed (or failed); answer 202 with the
 * counts and every refused event, by its index in the body. */
static void answer(struct req *r)
{
	struct ingest *in = r->state;
	const struct db_ingest_refusal *refused;
	size_t accepted, duplicates, n;
	enum db_status s = db_ingest_outcome(&in->job, &accepted, &duplicates, &refused, &n);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct db_ingest_refusal *f = &refused[i];
		json_t *at = json_array_get(in->index, f->index);
		json_t *o =
		    json_pack("{s:O?, s:s, s:s?, s:s}", "index", at, "code", refusal_code(f),
			      "field", f->fault.field, "detail", f->fault.detail);
		if (at == NULL || o == NULL || json_array_append_new(in->rejected, o) != 0) {
			json_decref(o);
			reply_error(r, ERR_INTERNAL, NULL, NULL);
			return;
		}
	}
	json_t *res = json_pack("{s:I, s:I, s:O}", "accepted", (json_int_t)accepted, "duplicates",
				(json_int_t)duplicates, "rejected", in->rejected);
	if (res == NULL)
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	else
		reply_json(r, 202, res);
}

void h_events_ingest(struct req *r)
{
	if (r->resumed) {
		answer(r);
		return;
	}
	size_t len;
	const char *body = req_body(r, &len);
	char why[200] = "";
	json_t *events = parse_events(body, len, why, sizeof why);
	if (events == NULL) {
		reply_error(r, ERR_INVALID_JSON, NULL, "%s", why);
		return;
	}
	if (json_array_size(events) > EVENTS_MAX) {
		json_decref(events);
		reply_error(r, ERR_PAYLOAD_TOO_LARGE, NULL, "at most %d events per request",
			    EVENTS_MAX);
		return;
	}
	struct ingest *in = req_state_new(r, sizeof *in, ingest_clear);
	json_t *good = in ? json_array() : NULL;
	if (good == NULL) {
		json_decref(events);
		if (in != NULL)
			reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	in->rejected = json_array();
	in->index = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e)
	{
		const char *field = NULL, *fault = shape_fault(e, &field);
		if (fault != NULL) {
			json_array_append_new(in->rejected,
					      json_pack("{s:I, s:s, s:s?, s:s}", "index",
							(json_int_t)i, "code", "invalid_field",
							"field", field, "detail", fault));
			continue;
		}
		json_array_append(good, e);
		json_array_append_new(in->index, json_integer((json_int_t)i));
	}
	json_decref(events);
	char *text = json_dumps(good, JSON_COMPACT);
	json_decref(good);
	if (text == NULL)
		reply_error(r, ERR_INTERNAL, NULL, NULL);
	else
		db_ingest_submit(&in->job, text, r->user->id, req_wait(r));
	free(text);
}
