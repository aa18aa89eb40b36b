/* The blob store's SQL. An upload owns a connection for its whole life
 * (its transaction spans many HTTP reads); reads are single statements on
 * the calling thread's connection, with binary results (no hex). */
#include "db_blobs.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

struct db_upload {
	struct db db;
	int64_t blob;
};

static atomic_uint uploads;

static struct db_stmt q_savepoint = DB_STMT("SAVEPOINT blob");
static struct db_stmt q_new_blob = DB_STMT("INSERT INTO blobs DEFAULT VALUES RETURNING id");

enum db_status db_upload_begin(const char *actor_id, struct db_upload **out)
{
	*out = NULL;
	struct db_upload *u = calloc(1, sizeof *u);
	if (u == NULL)
		return DB_ERROR;
	u->db.url = db_primary_url();
	if (!db_ensure(&u->db)) {
		enum db_status s = db_down(&u->db);
		free(u);
		return s;
	}
	atomic_fetch_add(&uploads, 1);
	enum db_status s = db_begin(&u->db, actor_id);
	if (s == DB_OK)
		s = db_do(&u->db, &q_savepoint, 0, NULL);
	PGresult *res = s == DB_OK ? db_exec(&u->db, &q_new_blob, 0, NULL, &s) : NULL;
	if (s == DB_OK)
		u->blob = db_int(res, 0, 0);
	PQclear(res);
	if (s != DB_OK) {
		db_upload_abort(u);
		return s;
	}
	*out = u;
	return DB_OK;
}

static struct db_stmt q_chunk =
    DB_STMT("INSERT INTO blob_chunks (blob_id, n, data) VALUES ($1, $2, $3)");

enum db_status db_upload_chunk(struct db_upload *u, unsigned n, const void *data, size_t len)
{
	char id[24], num[16];
	snprintf(id, sizeof id, "%lld", (long long)u->blob);
	snprintf(num, sizeof num, "%u", n);
	const char *p[] = {id, num, data};
	const int lengths[] = {0, 0, (int)len};
	const int formats[] = {0, 0, 1};
	enum db_status s;
	PQclear(db_exec_bin(&u->db, &q_chunk, 3, p, lengths, formats, 0, &s));
	return s;
}

static struct db_stmt q_existing = DB_STMT("SELECT id FROM blobs WHERE sha256 = $1");
static struct db_stmt q_seal = DB_STMT("UPDATE blobs SET sha256 = $2, size = $3 WHERE id = $1");
static struct db_stmt q_drop = DB_STMT("ROLLBACK TO SAVEPOINT blob");

/* The id of the blob already holding these bytes, or 0. */
static int64_t existing(struct db_upload *u, const char *p[], const int *lengths,
			const int *formats, enum db_status *s)
{
	PGresult *res = db_exec_bin(&u->db, &q_existing, 1, p + 1, lengths + 1, formats + 1, 0, s);
	int64_t id = (*s == DB_OK && PQntuples(res) == 1) ? db_int(res, 0, 0) : 0;
	PQclear(res);
	return id;
}

enum db_status db_upload_seal(struct db_upload *u, const unsigned char sha256[32], uint64_t size)
{
	char id[24], sz[24];
	snprintf(id, sizeof id, "%lld", (long long)u->blob);
	snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
	const char *p[] = {id, (const char *)sha256, sz};
	const int lengths[] = {0, 32, 0};
	const int formats[] = {0, 1, 0};
	enum db_status s;
	int64_t found = existing(u, p, lengths, formats, &s);
	if (s == DB_OK && found == 0) {
		/* A concurrent upload of the same bytes makes this wait for
		 * it, then fail with a unique violation: use its blob. */
		PQclear(db_exec_bin(&u->db, &q_seal, 3, p, lengths, formats, 0, &s));
		if (s != DB_CONFLICT)
			return s;
	}
	if (s != DB_OK && s != DB_CONFLICT)
		return s;
	s = db_do(&u->db, &q_drop, 0, NULL);
	if (s == DB_OK && found == 0)
		found = existing(u, p, lengths, formats, &s);
	if (s == DB_OK && found == 0)
		s = DB_ERROR;
	u->blob = found;
	return s;
}

int64_t db_upload_blob(const struct db_upload *u)
{
	return u->blob;
}

enum db_status db_upload_commit(struct db_upload *u, db_tx_fn fn, void *cls)
{
	enum db_status s = fn(&u->db, cls);
	if (s == DB_OK)
		s = db_commit(&u->db);
	db_upload_abort(u);
	return s;
}

void db_upload_abort(struct db_upload *u)
{
	if (u == NULL)
		return;
	db_rollback(&u->db);
	db_close(&u->db);
	atomic_fetch_sub(&uploads, 1);
	free(u);
}

unsigned db_upload_count(void)
{
	return atomic_load(&uploads);
}

/* Whole chunks: reading a slice of a chunk with substring() measured three
 * times slower than reading it whole, even with STORAGE EXTERNAL. */
static struct db_stmt q_read =
    DB_STMT("SELECT data FROM blob_chunks WHERE blob_id = $1 AND n = $2");

enum db_status db_blob_chunk_on(struct db *db, int64_t blob_id, unsigned n, void *buf, size_t *got)
{
	*got = 0;
	char id[24], num[16];
	snprintf(id, sizeof id, "%lld", (long long)blob_id);
	snprintf(num, sizeof num, "%u", n);
	const char *p[] = {id, num};
	enum db_status s;
	PGresult *res = db_exec_bin(db, &q_read, 2, p, NULL, NULL, 1, &s);
	if (s == DB_OK && PQntuples(res) == 1) {
		size_t l = (size_t)PQgetlength(res, 0, 0);
		*got = l < BLOB_CHUNK ? l : BLOB_CHUNK;
		memcpy(buf, PQgetvalue(res, 0, 0), *got);
	}
	PQclear(res);
	return s;
}

struct chunk_read {
	int64_t blob;
	unsigned n;
	void *buf;
	size_t *got;
};

static enum db_status read_chunk(struct db *db, void *cls)
{
	struct chunk_read *c = cls;
	return db_blob_chunk_on(db, c->blob, c->n, c->buf, c->got);
}

enum db_status db_blob_chunk(int64_t blob_id, unsigned n, void *buf, size_t *got)
{
	struct chunk_read c = {blob_id, n, buf, got};
	return db_run(false, read_chunk, &c);
}

static struct db_stmt q_sweep =
    DB_STMT("DELETE FROM blobs b WHERE b.created_at < now() - $1::integer * interval '1 second'"
	    " AND NOT EXISTS (SELECT 1 FROM asset_versions v WHERE v.blob_id = b.id)"
	    " AND NOT EXISTS (SELECT 1 FROM import_jobs j WHERE j.blob_id = b.id)"
	    " AND NOT EXISTS (SELECT 1 FROM blob_texts t WHERE t.thumb_blob_id = b.id)");

enum db_status db_blob_sweep(int min_age_s, long *removed)
{
	char age[16];
	snprintf(age, sizeof age, "%d", min_age_s);
	const char *p[] = {age};
	enum db_status s;
	PGresult *res = db_write(NULL, &q_sweep, 1, p, &s);
	*removed = s == DB_OK ? atol(PQcmdTuples(res)) : 0;
	PQclear(res);
	return s;
}
