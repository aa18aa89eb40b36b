/* Ingested events through the group-commit writer. */
#include "db_ingest.h"

#include <stdlib.h>
#include "db_internal.h"

/* $1 the events (a jsonb array), $2 the actor. */
static struct db_job_stmt q_ingest = {DB_STMT("SELECT ingest_events($1::jsonb, $2::uuid)::text"),
				      false};

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

enum db_status db_ingest_outcome(const struct db_ingest *in, const char **json)
{
	*json = in->answer;
	if (in->status != DB_OK || in->answer == NULL)
		return in->status == DB_OK ? DB_ERROR : in->status;
	return DB_OK;
}

void db_ingest_clear(struct db_ingest *in)
{
	free(in->answer);
	in->answer = NULL;
}
