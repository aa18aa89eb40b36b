/* The blob store: uploads streamed into PostgreSQL chunk by chunk while
 * their SHA-256 is computed and their type is decided by libmagic from the
 * first bytes; downloads streamed back by range. The SQL is in db_blobs.h. */
#ifndef NS_STORE_H
#define NS_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "db_blobs.h"
#include "error.h"

#define STORE_FILENAME_MAX 200 /* bytes of a sanitised file name */
#define STORE_MIME_MAX	   128

/* What an upload turned out to be. */
struct blob_meta {
	char sha256[65]; /* lowercase hex */
	uint64_t size;
	char mime[STORE_MIME_MAX];
	char filename[STORE_FILENAME_MAX + 1]; /* sanitised */
};

struct blob_writer;

/* Starts an upload of at most @max_bytes named @filename (raw, from the
 * client; NULL for none) by @actor_id. Returns ERR_NONE with *@out set,
 * ERR_DB_UNAVAILABLE, ERR_STORAGE_FULL, or ERR_RATE_LIMITED when too many
 * uploads are running (each holds a database connection). */
enum err blob_writer_new(const char *actor_id, const char *filename, uint64_t max_bytes,
			 struct blob_writer **out);

/* Appends bytes. ERR_NONE, or: ERR_PAYLOAD_TOO_LARGE past max_bytes,
 * ERR_UNSUPPORTED_MEDIA_TYPE once the first chunk shows a type outside the
 * allow-list, ERR_DB_UNAVAILABLE / ERR_STORAGE_FULL (the database's disk
 * is full: the upload's transaction rolls back, nothing of it is kept) /
 * ERR_INTERNAL. After a failure the writer only waits to be freed. */
enum err blob_write(struct blob_writer *w, const void *data, size_t len);

/* The file ended: stores the last chunk and seals the blob. ERR_NONE, or
 * ERR_INVALID_FIELD for an empty file, or blob_write's failures. */
enum err blob_close(struct blob_writer *w);

/* After blob_close: what was stored. */
const struct blob_meta *blob_writer_meta(const struct blob_writer *w);

/* After blob_close: hands the upload's transaction over (to record the
 * version in it and commit, see db_upload_commit); the writer keeps
 * nothing to roll back. */
struct db_upload *blob_writer_take(struct blob_writer *w);

/* Frees the writer; an upload not taken is rolled back. NULL is fine. */
void blob_writer_free(struct blob_writer *w);

/* A reader of bytes [@start, @start + @len) of blob @blob_id, holding at
 * most one chunk in memory. */
struct blob_reader;
struct blob_reader *blob_reader_new(int64_t blob_id, uint64_t start, uint64_t len);
/* Copies up to @max bytes from offset @pos of the range into @buf: the
 * count, 0 at the end, -1 on a database failure. */
long blob_reader_read(struct blob_reader *r, uint64_t pos, char *buf, size_t max);
void blob_reader_free(struct blob_reader *r);

/* The MIME type libmagic sees in @data (the first bytes of a file),
 * refined by @filename's extension within text/plain only (.csv, .md),
 * into @out; returns whether the type is on the allow-list. */
bool store_sniff(const void *data, size_t len, const char *filename, char *out, size_t outlen);

/* The last path component of @raw, without control characters, quotes and
 * backslashes, trimmed, cut to STORE_FILENAME_MAX bytes on a UTF-8
 * boundary; "file" if nothing is left. Can't fail. */
void store_filename(const char *raw, char out[STORE_FILENAME_MAX + 1]);

#endif
