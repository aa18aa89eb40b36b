/* The extraction workers: threads that take jobs from the durable queue
 * (db_extracts.h), hand each blob to the sandboxed extractor (extract.h)
 * and store its outcome, retrying what failed for a reason outside the
 * file (no child could run, the database) with a growing delay.
 *
 * Configuration (environment, README "Operations"):
 *   NEXTSTAGE_EXTRACT_WORKERS   threads (default 1; 0: none, jobs wait)
 *   NEXTSTAGE_EXTRACT_RETRY_MS  first retry's delay (default 30000), doubled
 *                               at each attempt, with jitter
 *   NEXTSTAGE_EXTRACT_ATTEMPTS  attempts before the blob is failed (default 5)
 *   NEXTSTAGE_EXTRACT_POLL_MS   an idle worker's look at the queue, for jobs
 *                               other processes queued (default 10000) */
#ifndef NS_EXTRACT_WORKER_H
#define NS_EXTRACT_WORKER_H
#include "extract.h"

/* Starts the configured number of workers. Returns 0, or -1 when a
 * thread could not start (those started keep running). */
int extract_worker_start(void);

/* Tells an idle worker a job was queued in this process (an upload). Can't
 * fail; harmless without workers. */
void extract_worker_wake(void);

/* Stops the workers: an idle one at once, a running extraction by killing
 * its child (its job stays queued, untouched, for the next start). Joins
 * them. */
void extract_worker_stop(void);

/* What the workers did since start, for /metrics. */
struct extract_worker_counts {
	unsigned long outcomes[EXTRACT_FAILED + 1]; /* by enum extract_status */
	unsigned long retries;			    /* transient failures */
	unsigned long gave_up;			    /* blobs failed after the last attempt */
};
void extract_worker_counts(struct extract_worker_counts *out);

/* The delay before attempt @attempts + 1 after a transient failure: @base_ms
 * doubled per failed attempt, capped at an hour, scaled by @jitter in
 * [0.5, 1.5). Pure. */
unsigned extract_retry_delay_ms(unsigned base_ms, int attempts, double jitter);

#endif
