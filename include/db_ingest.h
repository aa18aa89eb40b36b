/* Ingested events (ingest.c): a batch of POST /api/v1/events is one job
 * of the group-commit writer (db_writer.h), run by
 * schema/functions/ingest_events.sql, which checks what only the database knows; the request
 * is answered once the batch is committed. */
#ifndef NS_DB_INGEST_H
#define NS_DB_INGEST_H
#include "db.h"
#include "db_writer.h"

/* One batch, from its submission to its outcome: the caller keeps it
 * until it has read the outcome. Its fields are ingest.c's. */
struct db_ingest {
	enum db_status status;
	char *answer; /* ingest_events()'s */
	struct db_wake wake;
};

/* Queues the events @events (JSON text: an array of events whose shape
 * is already checked) sent by user @actor_id; @wake runs once they are
 * committed or failed, or at once when out of memory. */
void db_ingest_submit(struct db_ingest *in, const char *events, const char *actor_id,
		      struct db_wake wake);

/* After the wake: DB_OK with the outcome in *@json, borrowed from @in:
 * {"accepted": n, "duplicates": n, "rejected": [{index (in @events),
 * code, field?, detail}]}; else the failure (nothing was recorded). */
enum db_status db_ingest_outcome(const struct db_ingest *in, const char **json);

/* Frees what @in holds. */
void db_ingest_clear(struct db_ingest *in);

#endif
