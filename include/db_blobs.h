/* The blob store's database side: chunks written inside an upload's own
 * transaction, read back by range, and a sweep of unreferenced blobs.
 * Bytes are content-addressed by SHA-256 and kept in BLOB_CHUNK chunks. */
#ifndef NS_DB_BLOBS_H
#define NS_DB_BLOBS_H
#include <stddef.h>
#include <stdint.h>
#include "db.h"

#define BLOB_CHUNK (1u << 20)

/* An upload in progress: a connection of its own with an open
 * transaction, holding a blob row that nothing can see yet. */
struct db_upload;

/* Opens the connection, begins the transaction (audited as @actor_id) and
 * creates the blob row. DB_UNAVAILABLE when the database can't be reached,
 * DB_FULL when its disk is full. */
enum db_status db_upload_begin(const char *actor_id, struct db_upload **out);

/* Stores chunk @n (0, 1, ...) of the blob: @len bytes, at most BLOB_CHUNK. */
enum db_status db_upload_chunk(struct db_upload *u, unsigned n, const void *data, size_t len);

/* Seals the blob as the @size bytes with digest @sha256. If those bytes
 * are stored already, the chunks written are dropped and the existing blob
 * is used: identical bytes are stored once. */
enum db_status db_upload_seal(struct db_upload *u, const unsigned char sha256[32], uint64_t size);

/* The sealed blob's id (for the version row). */
int64_t db_upload_blob(const struct db_upload *u);

/* Runs @fn on the upload's transaction (it records what refers to the
 * blob), then commits. The upload is consumed whatever the outcome: on
 * failure everything it wrote is rolled back. */
enum db_status db_upload_commit(struct db_upload *u, db_tx_fn fn, void *cls);

/* Rolls back and closes. NULL is fine. */
void db_upload_abort(struct db_upload *u);

/* Uploads in progress in this process (each holds a connection). */
unsigned db_upload_count(void);

/* Reads chunk @n of blob @blob_id (BLOB_CHUNK bytes, the last one fewer)
 * into @buf; *@got is its size (0 past the end). */
enum db_status db_blob_chunk(int64_t blob_id, unsigned n, void *buf, size_t *got);

/* Deletes blobs that no version and no pending import refers to (and
 * their chunks) older than @min_age_s seconds; *@removed is how many. */
enum db_status db_blob_sweep(int min_age_s, long *removed);

#endif
