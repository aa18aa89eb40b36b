/* Extraction in the database: the durable queue (extract_jobs) the
 * workers of extract_worker.h take jobs from, what became of each blob's
 * text (blob_texts, blob_pages) and its preview (a blob of its own).
 *
 * A job is held by the transaction of the worker running it: taken with
 * FOR UPDATE SKIP LOCKED (another worker skips it), kept while the
 * extractor runs, and deleted in the same transaction that stores its
 * outcome. A worker that dies leaves the job as it was, for the next. */
#ifndef NS_DB_EXTRACTS_H
#define NS_DB_EXTRACTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "db_assets.h"
#include "extract.h"

/* A worker's connection (one each: the job's transaction lives on it). */
struct db_extractor;

/* Connects. DB_UNAVAILABLE when the database can't be reached. */
enum db_status db_extractor_open(struct db_extractor **out);
/* Rolls back what is open and disconnects. NULL is fine. */
void db_extractor_close(struct db_extractor *x);

/* A job as taken. */
struct db_extract_job {
	int64_t blob;
	uint64_t size;
	char mime[128];
	int attempts; /* failed attempts before this one */
};

/* Begins a transaction on @x and takes the job due first, held until
 * db_extract_store or db_extract_retry. DB_NOT_FOUND when none is due
 * (then nothing is held), or a failure (rolled back). */
enum db_status db_extract_take(struct db_extractor *x, struct db_extract_job *job);

/* Chunk @n of the job's blob into @buf (BLOB_CHUNK bytes, the last one
 * fewer; *@got is 0 past the end), read in the job's transaction. */
enum db_status db_extract_chunk(struct db_extractor *x, const struct db_extract_job *job,
				unsigned n, void *buf, size_t *got);

/* Stores @r as the job's outcome (its pages and search document when
 * done, its preview as a blob, its status and reason), refreshes the
 * search documents of the assets showing the blob, deletes the job and
 * commits. On failure nothing of it is kept and the job is still held:
 * call db_extract_retry. */
enum db_status db_extract_store(struct db_extractor *x, const struct db_extract_job *job,
				const struct extract_result *r);

/* A transient failure (@error: a sentence): the job's attempts grow by
 * one and it waits @delay_ms; with @give_up the blob's text_status becomes
 * failed with @error as its reason and the job is deleted. Commits. */
enum db_status db_extract_retry(struct db_extractor *x, const struct db_extract_job *job,
				const char *error, unsigned delay_ms, bool give_up);

/* Milliseconds until the next job is due (0: one is due now), or -1 when
 * the queue is empty. On @x, outside a transaction. */
enum db_status db_extract_next_due(struct db_extractor *x, long *ms);

/* Queues again the blob of version @version of asset @id (a marketer
 * asking after a failure): pending, its job due now with no attempts.
 * DB_NOT_FOUND for no such version; DB_CONFLICT while it is pending. */
enum db_status db_extract_requeue(const char *actor_id, const char *id, int version);

/* The preview of blob @blob (a version's, db_asset_content) as content to
 * answer with; DB_NOT_FOUND when it has none. */
enum db_status db_extract_thumbnail(int64_t blob, struct asset_content *out);

/* Jobs in the queue, due or waiting (for /metrics). */
enum db_status db_extract_queue_depth(long *n);

#endif
