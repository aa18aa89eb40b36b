/* Ingested events (ingest.c): a batch of POST /api/v1/events is one job
 * of the group-commit writer (db_writer.h), run by
 * schema/functions/ingest_events.sql, which checks what only the database knows; the request
 * is answered once the batch is committed. */
#ifndef NS_DB_INGEST_H
#define NS_DB_INGEST_H
#include <stddef.h>
#include "db.h"
#include "db_writer.h"

/* An event the database refused: DB_NOT_FOUND (a row its field refers to
 * is not there) or DB_INVALID (the field's value is wrong, or with
 * fault.missing the field is absent). fault.field is a static string. */
struct db_ingest_refusal {
	size_t index; /* in the events submitted */
	enum db_status status;
	struct db_fault fault;
};

/* One batch, from its submission to its outcome: the caller keeps it
 * until it has read the outcome. Its fields are ingest.c's. */
struct db_ingest {
	enum db_status status;
	char *answer; /* ingest_events()'s */
	struct db_wake wake;
	struct db_ingest_refusal *refused;
};

/* Queues the events @events (JSON text: an array of events whose shape
 * is already checked) sent by user @actor_id; @wake runs once they are
 * committed or failed, or at once when out of memory. */
void db_ingest_submit(struct db_ingest *in, const char *events, const char *actor_id,
		      struct db_wake wake);

/* After the wake: DB_OK with the counts in *@accepted and *@duplicates
 * and the *@n refused events in *@refused (borrowed from @in, in no
 * particular order). Else the failure, and nothing was recorded: the
 * batch's transaction rolled back. Every failure that is not a refusal of
 * an event, whatever its SQLSTATE, is a server fault (DB_ERROR, its cause
 * logged) unless the database was unavailable (DB_UNAVAILABLE) or its
 * disk full (DB_FULL). */
enum db_status db_ingest_outcome(struct db_ingest *in, size_t *accepted, size_t *duplicates,
				 const struct db_ingest_refusal **refused, size_t *n);

/* Frees what @in holds. */
void db_ingest_clear(struct db_ingest *in);

#endif
