/* Streaming uploads and downloads of blobs. An upload fills a BLOB_CHUNK
 * buffer, hashes as it goes, sniffs the type on the first chunk (so a
 * refused type costs at most one chunk of reading), and writes each full
 * chunk inside the upload's transaction: memory stays at one chunk. */
#include "store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"

/* Each upload holds a database connection for its duration. */
#define MAX_UPLOADS 32

struct blob_writer {
	struct db_upload *up;
	crypto_hash_sha256_state sha;
	char *buf;
	size_t len;
	unsigned chunks;
	uint64_t size, max;
	bool sniffed;
	enum err failed;
	char *raw_name;
	struct blob_meta meta;
};

static enum err from_db(enum db_status s)
{
	return s == DB_UNAVAILABLE ? ERR_DB_UNAVAILABLE
	       : s == DB_FULL	   ? ERR_STORAGE_FULL
				   : ERR_INTERNAL;
}

enum err blob_writer_new(const char *actor_id, const char *filename, uint64_t max_bytes,
			 struct blob_writer **out)
{
	*out = NULL;
	if (db_upload_count() >= MAX_UPLOADS)
		return ERR_RATE_LIMITED;
	struct blob_writer *w = calloc(1, sizeof *w);
	if (w == NULL || (w->buf = malloc(BLOB_CHUNK)) == NULL) {
		free(w);
		return ERR_INTERNAL;
	}
	w->raw_name = strdup(filename ? filename : "");
	w->max = max_bytes;
	w->failed = ERR_NONE;
	crypto_hash_sha256_init(&w->sha);
	store_filename(filename, w->meta.filename);
	enum db_status s = db_upload_begin(actor_id, &w->up);
	if (s != DB_OK || w->raw_name == NULL) {
		blob_writer_free(w);
		return s != DB_OK ? from_db(s) : ERR_INTERNAL;
	}
	*out = w;
	return ERR_NONE;
}

static enum err fail(struct blob_writer *w, enum err e)
{
	w->failed = e;
	db_upload_abort(w->up); /* free the connection now, not at the end */
	w->up = NULL;
	return e;
}

/* Writes the buffered chunk, sniffing the type first if not done yet. */
static enum err flush(struct blob_writer *w)
{
	if (!w->sniffed) {
		w->sniffed = true;
		if (!store_sniff(w->buf, w->len, w->raw_name, w->meta.mime, sizeof w->meta.mime))
			return fail(w, ERR_UNSUPPORTED_MEDIA_TYPE);
	}
	if (w->len == 0)
		return ERR_NONE;
	enum db_status s = db_upload_chunk(w->up, w->chunks, w->buf, w->len);
	if (s != DB_OK)
		return fail(w, from_db(s));
	w->chunks++;
	w->len = 0;
	return ERR_NONE;
}

enum err blob_write(struct blob_writer *w, const void *data, size_t len)
{
	if (w->failed != ERR_NONE)
		return w->failed;
	if (len > w->max - w->size)
		return fail(w, ERR_PAYLOAD_TOO_LARGE);
	crypto_hash_sha256_update(&w->sha, data, len);
	w->size += len;
	const char *p = data;
	while (len > 0) {
		size_t room = BLOB_CHUNK - w->len, n = len < room ? len : room;
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		p += n;
		len -= n;
		if (w->len == BLOB_CHUNK) {
			enum err e = flush(w);
			if (e != ERR_NONE)
				return e;
		}
	}
	return ERR_NONE;
}

enum err blob_close(struct blob_writer *w)
{
	if (w->failed != ERR_NONE)
		return w->failed;
	if (w->size == 0)
		return fail(w, ERR_INVALID_FIELD);
	enum err e = flush(w);
	if (e != ERR_NONE)
		return e;
	unsigned char digest[32];
	crypto_hash_sha256_final(&w->sha, digest);
	crypto_hex(digest, 32, w->meta.sha256);
	w->meta.size = w->size;
	enum db_status s = db_upload_seal(w->up, digest, w->size);
	if (s != DB_OK)
		return fail(w, from_db(s));
	free(w->buf);
	w->buf = NULL;
	return ERR_NONE;
}

const struct blob_meta *blob_writer_meta(const struct blob_writer *w)
{
	return &w->meta;
}

struct db_upload *blob_writer_take(struct blob_writer *w)
{
	struct db_upload *u = w->up;
	w->up = NULL;
	return u;
}

void blob_writer_free(struct blob_writer *w)
{
	if (w == NULL)
		return;
	db_upload_abort(w->up);
	free(w->buf);
	free(w->raw_name);
	free(w);
}

struct blob_reader {
	int64_t blob;
	uint64_t start, len;
	char *buf;	 /* one chunk's worth, fetched on demand */
	uint64_t buf_at; /* blob offset of buf[0] */
	size_t buf_len;
};

struct blob_reader *blob_reader_new(int64_t blob_id, uint64_t start, uint64_t len)
{
	struct blob_reader *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->blob = blob_id;
	r->start = start;
	r->len = len;
	return r;
}

long blob_reader_read(struct blob_reader *r, uint64_t pos, char *buf, size_t max)
{
	if (pos >= r->len)
		return 0;
	uint64_t at = r->start + pos;
	if (r->buf_len == 0 || at < r->buf_at || at >= r->buf_at + r->buf_len) {
		if (r->buf == NULL && (r->buf = malloc(BLOB_CHUNK)) == NULL)
			return -1;
		unsigned n = (unsigned)(at / BLOB_CHUNK);
		r->buf_at = (uint64_t)n * BLOB_CHUNK;
		if (db_blob_chunk(r->blob, n, r->buf, &r->buf_len) != DB_OK ||
		    at >= r->buf_at + r->buf_len) {
			r->buf_len = 0;
			return -1;
		}
	}
	size_t avail = (size_t)(r->buf_at + r->buf_len - at);
	size_t n = max < avail ? max : avail;
	if (n > r->len - pos)
		n = (size_t)(r->len - pos);
	memcpy(buf, r->buf + (at - r->buf_at), n);
	return (long)n;
}

void blob_reader_free(struct blob_reader *r)
{
	if (r != NULL)
		free(r->buf);
	free(r);
}
