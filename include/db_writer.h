/* Group commit: writes that must be durable before their request is
 * answered (tracked-link opens, public page views, ingested events) are
 * handed to a writer thread, which runs every job waiting at that moment
 * in ONE transaction and commits once: one fsync for many requests. A
 * job's wake runs on the writer thread after the commit (or the failure),
 * never before; the caller suspends its request meanwhile instead of
 * blocking a thread. The jobs themselves are made by the modules that own
 * their SQL (db_internal.h: db_job_new). */
#ifndef NS_DB_WRITER_H
#define NS_DB_WRITER_H
#include <stddef.h>
#include "db.h"

/* Who to wake when a job is over: @fn(@cls) is called exactly once, on a
 * writer thread, after the batch holding the job committed or failed
 * (its outcome is in the caller's struct by then), or at once when the
 * job could not be queued. The db_*_submit functions take one (db_opens.h,
 * db_public.h, db_ingest.h). */
struct db_wake {
	void (*fn)(void *cls);
	void *cls;
};

/* Starts the writer threads. 0, or -1 when they could not all start.
 * Until then, and after db_writer_stop, jobs fail at once with
 * DB_UNAVAILABLE. */
int db_writer_start(void);
/* Finishes the queued jobs, then stops the thread. */
void db_writer_stop(void);
/* Batches committed and jobs run since start (for /metrics). */
void db_writer_stats(unsigned long *batches, unsigned long *jobs);

#endif
