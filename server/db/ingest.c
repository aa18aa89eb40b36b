/* Ingested events through the group-commit writer. ingest_events()
 * answers each refused event with a project SQLSTATE (db_internal.h),
 * read here into a status and a fault. */
#include "db_ingest.h"

#include <jansson.h>
#include <stdlib.h>
#include "db_internal.h"
#include "log.h"

/* $1 the events (a jsonb array), $2 the actor. */
static struct db_job_stmt q_ingest = {DB_STMT("SELECT ingest_events($1::jsonb, $2::uuid)::text"),
				      false};

/* The fields ingest_event() and ingest_events() may name. */
static const char *const fields[] = {
    "id",	"type",	 "at",	      "asset_id",	 "deal_id", "deal_external_id",
    "share_id", "token", "rep_email", "recipient_email", "channel", "user_email",
    "stage",	NULL};

static void done(void *cls, enum db_status s, char *result)
{
	struct db_ingest *in = cls;
	in->status = s;
	in->answer = result;
	in->wake.fn(in->wake.cls);
}

void db_ingest_submit(struct db_ingest *in, const char *events, const char *actor_id,
		      struct db_wake wake)
{
	const char *p[] = {events, actor_id};
	*in = (struct db_ingest){.wake = wake};
	struct db_job *job = db_job_new(&q_ingest, 2, p, NULL, done, in);
	if (job != NULL) {
		db_job_submit(job);
		return;
	}
	in->status = DB_ERROR;
	wake.fn(wake.cls);
}

/* Reads rejection @r ({index, sqlstate, field, detail}) into @out; false
 * when it is not one (logged: ingest_events() and this file disagree). */
static bool read_refusal(const json_t *r, struct db_ingest_refusal *out)
{
	const char *state = json_string_value(json_object_get(r, "sqlstate"));
	const char *name = json_string_value(json_object_get(r, "field"));
	const char *detail = json_string_value(json_object_get(r, "detail"));
	json_t *index = json_object_get(r, "index");
	bool missing;
	*out = (struct db_ingest_refusal){.status = db_refusal_of(state, &missing)};
	const char *field = db_field_of(name, fields);
	if (out->status == DB_OK || !json_is_integer(index) || json_integer_value(index) < 0 ||
	    (name != NULL && field == NULL)) {
		log_msg("error",
			"ingest_events() answered a rejection this server cannot read: "
			"sqlstate %s, field %s",
			state ? state : "none", name ? name : "none");
		return false;
	}
	out->index = (size_t)json_integer_value(index);
	db_refuse(&out->fault, out->status, field, "%s", detail ? detail : "");
	out->fault.missing = missing;
	return true;
}

enum db_status db_ingest_outcome(struct db_ingest *in, size_t *accepted, size_t *duplicates,
				 const struct db_ingest_refusal **refused, size_t *n)
{
	*accepted = *duplicates = *n = 0;
	*refused = NULL;
	if (in->status == DB_UNAVAILABLE || in->status == DB_FULL)
		return in->status;
	/* Every refusal is in the answer, so whatever else failed the batch
	 * (its cause logged by the writer) is the server's fault. */
	if (in->status != DB_OK || in->answer == NULL) {
		log_msg("error", "an ingest batch failed (%s): answered as a server fault",
			in->status == DB_OK	    ? "no answer"
			: in->status == DB_INVALID  ? "a value refused"
			: in->status == DB_CONFLICT ? "a conflict"
			: in->status == DB_RETRY    ? "a serialization failure or deadlock"
						    : "an error");
		return DB_ERROR;
	}
	json_t *o = json_loads(in->answer, 0, NULL), *rej = json_object_get(o, "rejected");
	json_t *acc = json_object_get(o, "accepted"), *dup = json_object_get(o, "duplicates");
	size_t count = json_array_size(rej);
	enum db_status s = DB_ERROR;
	if (!json_is_integer(acc) || !json_is_integer(dup) || !json_is_array(rej)) {
		log_msg("error", "ingest_events() answered what this server cannot read");
		goto out;
	}
	free(in->refused);
	in->refused = count ? calloc(count, sizeof *in->refused) : NULL;
	if (count && in->refused == NULL)
		goto out;
	for (size_t i = 0; i < count; i++)
		if (!read_refusal(json_array_get(rej, i), &in->refused[i]))
			goto out;
	*accepted = (size_t)json_integer_value(acc);
	*duplicates = (size_t)json_integer_value(dup);
	*refused = in->refused;
	*n = count;
	s = DB_OK;
out:
	json_decref(o);
	return s;
}

void db_ingest_clear(struct db_ingest *in)
{
	free(in->answer);
	free(in->refused);
	in->answer = NULL;
	in->refused = NULL;
}
