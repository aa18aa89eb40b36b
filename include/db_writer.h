/* Group commit: writes that must be durable before their request is
 * answered (tracked-link opens, ingested events) are handed to one writer
 * thread, which runs every job waiting at that moment in ONE transaction
 * and commits once: one fsync for many requests. A job's @done runs on the
 * writer thread after the commit (or the failure), never before; the
 * caller suspends its request meanwhile instead of blocking a thread. */
#ifndef NS_DB_WRITER_H
#define NS_DB_WRITER_H
#include <stddef.h>
#include "db.h"

#define DB_JOB_PARAMS 6

struct db_job;

/* A job running statement @stmt_index (see db_job_stmt) with up to
 * DB_JOB_PARAMS parameters, copied now (@lengths NULL: text; else
 * per-parameter byte lengths, binary where non-zero; a batched statement
 * takes text only). @done(@cls, status, result or NULL) is called exactly
 * once, after the batch holding it committed (DB_OK) or failed; the
 * result is the first column of the first row, or for a batched
 * statement the job's own result. Returns NULL when out of memory or
 * given a binary parameter for a batched statement (nothing is called
 * then). */
struct db_job *db_job_new(int stmt_index, int n, const char *const *params, const int *lengths,
			  void (*done)(void *cls, enum db_status s, const char *result), void *cls);

/* Queues @job for the next batch. Until db_writer_start, and after
 * db_writer_stop, jobs fail at once with DB_UNAVAILABLE. */
void db_job_submit(struct db_job *job);

/* The statements jobs may run, by index (kept here so the writer's
 * connection prepares them once). A batched one runs the jobs of a
 * batch together, in ONE statement taking an array per parameter. */
enum db_job_stmt {
	/* batched: open_links() of schema/0010_open_batch.sql; $1 token,
	 * $2 client hash (bytea text: \x and hex, or NULL), $3 ua class,
	 * $4 bot reason (NULL: a person); result 'missing', 'gone' or the
	 * target as JSON */
	DB_JOB_OPEN,
	DB_JOB_INGEST, /* ingest_events($1 jsonb array, $2 actor) */
	/* public_hit() of schema/0015_leads.sql: $1 asset id, $2 'view' or
	 * 'download', $3 client hash (as for DB_JOB_OPEN), $4 ua class, $5
	 * bot reason; result 'missing', 'gone', 'gated', or the page or the
	 * target as JSON */
	DB_JOB_PAGE_HIT,
	DB_JOB__COUNT,
};

int db_writer_start(void);
/* Finishes the queued jobs, then stops the thread. */
void db_writer_stop(void);
/* Batches committed and jobs run since start (for /metrics). */
void db_writer_stats(unsigned long *batches, unsigned long *jobs);

#endif
