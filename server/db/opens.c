/* Tracked-link opens through the group-commit writer: one call of
 * open_links() records the opens of a whole batch. open_links() answers
 * each open with a word ('missing', 'gone', 'retired') or the target as
 * JSON; they are read into C here and nowhere else. */
#include "db_opens.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

/* $1 tokens, $2 client hashes (bytea text, or NULL), $3 User-Agent
 * classes, $4 bot reasons (NULL: a person), $5 viewer page ids (NULL:
 * none). */
static struct db_job_stmt q_open = {
    DB_STMT("SELECT job, outcome FROM open_links($1::text[], $2::bytea[], $3::text[],"
	    " $4::text[], $5::uuid[])"),
    true};

/* On the writer thread: the answer is kept as it is (read on the
 * request's own thread), so that the other opens of the batch are woken
 * without waiting for it. */
static void done(void *cls, enum db_status s, char *result)
{
	struct db_open *o = cls;
	o->status = s;
	o->answer = result;
	o->wake.fn(o->wake.cls);
}

void db_open_submit(struct db_open *o, const char *token, const struct visitor *v,
		    const char *view_id, struct db_wake wake)
{
	char hash[DB_HASH_TEXT];
	const char *p[] = {token, db_hash_text(v, hash), v->ua, v->bot, view_id};
	*o = (struct db_open){.wake = wake};
	struct db_job *job = db_job_new(&q_open, 5, p, NULL, done, o);
	if (job != NULL) {
		db_job_submit(job);
		return;
	}
	o->status = DB_ERROR;
	wake.fn(wake.cls);
}

/* The viewer's part of a served open's answer (the target JSON). */
static void viewer_read(const char *json, struct db_viewer *viewer)
{
	json_t *o = json_loads(json, 0, NULL);
	const char *title = json_string_value(json_object_get(o, "title"));
	snprintf(viewer->title, sizeof viewer->title, "%s", title ? title : "");
	viewer->downloadable = !json_is_false(json_object_get(o, "downloadable"));
	viewer->pages = (int)json_integer_value(json_object_get(o, "pages"));
	json_decref(o);
}

enum db_status db_open_outcome(const struct db_open *o, enum db_open_state *state,
			       struct db_target *t, struct db_viewer *viewer)
{
	*t = (struct db_target){0};
	if (o->status != DB_OK || o->answer == NULL) /* not recorded */
		return o->status == DB_OK ? DB_ERROR : o->status;
	if (strcmp(o->answer, "missing") == 0)
		*state = DB_OPEN_MISSING;
	else if (strcmp(o->answer, "gone") == 0)
		*state = DB_OPEN_GONE;
	else if (strcmp(o->answer, "retired") == 0)
		*state = DB_OPEN_RETIRED;
	else if (db_target_read(o->answer, t))
		*state = DB_OPEN_SERVED;
	else
		return DB_ERROR;
	if (viewer != NULL && *state == DB_OPEN_SERVED)
		viewer_read(o->answer, viewer);
	return DB_OK;
}

void db_open_clear(struct db_open *o)
{
	free(o->answer);
	o->answer = NULL;
}
