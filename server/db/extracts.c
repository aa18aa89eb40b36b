/* The extraction queue's SQL (db_extracts.h): a worker's connection, the
 * job it holds in its transaction, the outcome stored in that same
 * transaction, retries with their delay; and the previews' reads. */
#include "db_extracts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_blobs.h"
#include "db_internal.h"

struct db_extractor {
	struct db db;
};

enum db_status db_extractor_open(struct db_extractor **out)
{
	struct db_extractor *x = calloc(1, sizeof *x);
	*out = NULL;
	if (x == NULL)
		return DB_ERROR;
	x->db.url = db_primary_url();
	if (!db_ensure(&x->db)) {
		free(x);
		return DB_UNAVAILABLE;
	}
	*out = x;
	return DB_OK;
}

void db_extractor_close(struct db_extractor *x)
{
	if (x == NULL)
		return;
	db_rollback(&x->db);
	db_close(&x->db);
	free(x);
}

/* The connection, re-made if the database went away meanwhile. */
static struct db *conn(struct db_extractor *x, enum db_status *s)
{
	*s = db_ensure(&x->db) ? DB_OK : DB_UNAVAILABLE;
	return *s == DB_OK ? &x->db : NULL;
}

static void blob_text(int64_t blob, char out[24])
{
	snprintf(out, 24, "%lld", (long long)blob);
}

/* ---- taking a job ---- */

/* The savepoint lets a failed store be undone without letting go of the
 * job's lock (db_extract_retry). */
static struct db_stmt q_take =
    DB_STMT("SELECT j.blob_id, b.size, j.mime, j.attempts FROM extract_jobs j"
	    " JOIN blobs b ON b.id = j.blob_id"
	    " WHERE j.run_after <= now()"
	    " ORDER BY j.run_after, j.blob_id LIMIT 1"
	    " FOR UPDATE OF j SKIP LOCKED");
static struct db_stmt q_savepoint = DB_STMT("SAVEPOINT job");

enum db_status db_extract_take(struct db_extractor *x, struct db_extract_job *job)
{
	enum db_status s;
	struct db *db = conn(x, &s);
	if (db == NULL)
		return s;
	s = db_begin(db, NULL);
	PGresult *res = s == DB_OK ? db_exec(db, &q_take, 0, NULL, &s) : NULL;
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK) {
		job->blob = db_int(res, 0, 0);
		job->size = (uint64_t)db_int(res, 0, 1);
		db_copy(job->mime, sizeof job->mime, res, 0, 2);
		job->attempts = (int)db_int(res, 0, 3);
		s = db_do(db, &q_savepoint, 0, NULL);
	}
	PQclear(res);
	if (s != DB_OK)
		db_rollback(db);
	return s;
}

enum db_status db_extract_chunk(struct db_extractor *x, const struct db_extract_job *job,
				unsigned n, void *buf, size_t *got)
{
	return db_blob_chunk_on(&x->db, job->blob, n, buf, got);
}

/* ---- the outcome ---- */

/* The preview as a blob of its own (content-addressed like any: the same
 * image twice is stored once), split in BLOB_CHUNK chunks. */
static struct db_stmt q_thumb = DB_STMT(
    "WITH known AS (SELECT id FROM blobs WHERE sha256 = sha256($1)),"
    " made AS (INSERT INTO blobs (sha256, size) SELECT sha256($1), length($1)"
    "   WHERE NOT EXISTS (SELECT 1 FROM known) ON CONFLICT (sha256) DO NOTHING RETURNING id),"
    " chunks AS (INSERT INTO blob_chunks (blob_id, n, data)"
    "   SELECT m.id, c.n, substring($1 FROM c.n * $2::integer + 1 FOR $2::integer)"
    "   FROM made m, generate_series(0, (length($1) - 1) / $2::integer) c(n))"
    " SELECT id FROM known UNION ALL SELECT id FROM made");

/* The id of the blob holding the preview into @id ("" for none). */
static enum db_status store_thumb(struct db *db, const struct extract_result *r, char id[24])
{
	id[0] = '\0';
	if (r->thumb == NULL || r->thumb_len == 0)
		return DB_OK;
	char chunk[16];
	snprintf(chunk, sizeof chunk, "%u", BLOB_CHUNK);
	const char *p[] = {(const char *)r->thumb, chunk};
	const int lengths[] = {(int)r->thumb_len, 0};
	const int formats[] = {1, 0};
	enum db_status s;
	PGresult *res = db_exec_bin(db, &q_thumb, 2, p, lengths, formats, 0, &s);
	if (s == DB_OK && PQntuples(res) == 1) /* none: a twin being stored right now */
		db_copy(id, 24, res, 0, 0);
	PQclear(res);
	return s;
}

/* The pages, their words, and the blob's search document from all of
 * them, in one statement: $2 the page numbers, $3 their texts. */
static struct db_stmt q_pages_clear = DB_STMT("DELETE FROM blob_pages WHERE blob_id = $1");
static struct db_stmt q_pages = DB_STMT("INSERT INTO blob_pages (blob_id, page, text, words)"
					" SELECT $1, p.n, p.t, to_tsvector('english', p.t)"
					" FROM unnest($2::integer[], $3::text[]) p(n, t)");

static enum db_status store_pages(struct db *db, const char *blob, const struct extract_result *r)
{
	const char *p[] = {blob, NULL, NULL};
	enum db_status s = db_do(db, &q_pages_clear, 1, p);
	if (s != DB_OK || r->status != EXTRACT_DONE || r->npages == 0)
		return s;
	char *nums = malloc((size_t)r->npages * 12 + 3), *texts = NULL;
	const char **v = calloc((size_t)r->npages + 1, sizeof *v);
	if (nums != NULL && v != NULL) {
		size_t o = 0;
		nums[o++] = '{';
		for (unsigned i = 0; i < r->npages; i++) {
			o += (size_t)sprintf(nums + o, "%s%u", i ? "," : "", r->pages[i].number);
			v[i] = r->pages[i].text ? r->pages[i].text : "";
		}
		nums[o++] = '}';
		nums[o] = '\0';
		texts = db_array(v);
	}
	p[1] = nums;
	p[2] = texts;
	s = texts != NULL ? db_do(db, &q_pages, 3, p) : DB_ERROR;
	free(texts);
	free(v);
	free(nums);
	return s;
}

static struct db_stmt q_text = DB_STMT(
    "UPDATE blob_texts SET status = $2, reason = nullif($3, ''), pages = $4::integer,"
    " doc = CASE WHEN $2 = 'done' THEN (SELECT to_tsvector('english',"
    "   coalesce(string_agg(text, E'\\n' ORDER BY page), '')) FROM blob_pages WHERE blob_id = $1)"
    " END,"
    " thumb_blob_id = nullif($5, '')::bigint, thumb_mime = nullif($6, ''), extracted_at = now()"
    " WHERE blob_id = $1");
static struct db_stmt q_refresh = DB_STMT("SELECT asset_search_refresh($1)");
static struct db_stmt q_done = DB_STMT("DELETE FROM extract_jobs WHERE blob_id = $1");

enum db_status db_extract_store(struct db_extractor *x, const struct db_extract_job *job,
				const struct extract_result *r)
{
	struct db *db = &x->db;
	char blob[24], thumb[24], pages[16];
	blob_text(job->blob, blob);
	enum db_status s = store_pages(db, blob, r);
	if (s == DB_OK)
		s = store_thumb(db, r, thumb);
	bool counted = r->status == EXTRACT_DONE || r->status == EXTRACT_EMPTY;
	snprintf(pages, sizeof pages, "%u", r->npages);
	const char *p[] = {
	    blob,  extract_status_name(r->status), counted ? "" : r->reason, counted ? pages : NULL,
	    thumb, thumb[0] ? r->thumb_mime : ""};
	if (s == DB_OK)
		s = db_do(db, &q_text, 6, p);
	if (s == DB_OK)
		s = db_do(db, &q_refresh, 1, p);
	if (s == DB_OK)
		s = db_do(db, &q_done, 1, p);
	if (s == DB_OK)
		s = db_commit(db);
	return s;
}

static struct db_stmt q_undo = DB_STMT("ROLLBACK TO SAVEPOINT job");
static struct db_stmt q_later =
    DB_STMT("UPDATE extract_jobs SET attempts = attempts + 1, last_error = $2,"
	    " run_after = clock_timestamp() + $3::integer * interval '1 millisecond'"
	    " WHERE blob_id = $1");
static struct db_stmt q_failed =
    DB_STMT("UPDATE blob_texts SET status = 'failed', reason = $2, pages = NULL, doc = NULL,"
	    " extracted_at = now() WHERE blob_id = $1");

enum db_status db_extract_retry(struct db_extractor *x, const struct db_extract_job *job,
				const char *error, unsigned delay_ms, bool give_up)
{
	struct db *db = &x->db;
	char blob[24], delay[16];
	blob_text(job->blob, blob);
	snprintf(delay, sizeof delay, "%u", delay_ms);
	const char *p[] = {blob, error, delay};
	enum db_status s = db_do(db, &q_undo, 0, NULL);
	if (s == DB_OK && give_up) {
		s = db_do(db, &q_failed, 2, p);
		if (s == DB_OK)
			s = db_do(db, &q_done, 1, p);
	} else if (s == DB_OK) {
		s = db_do(db, &q_later, 3, p);
	}
	if (s == DB_OK)
		s = db_commit(db);
	if (s != DB_OK)
		db_rollback(db);
	return s;
}

/* ---- waiting, asking again, reading ---- */

/* Jobs held by a worker (here or in another process) are not waited for:
 * they are on their way, and a worker that saw them due would spin. */
static struct db_stmt q_next_due =
    DB_STMT("SELECT ceil(extract(epoch FROM min(run_after) - now()) * 1000)::bigint"
	    " FROM (SELECT run_after FROM extract_jobs ORDER BY run_after LIMIT 64"
	    "       FOR KEY SHARE SKIP LOCKED) j");

enum db_status db_extract_next_due(struct db_extractor *x, long *ms)
{
	enum db_status s;
	struct db *db = conn(x, &s);
	*ms = -1;
	PGresult *res = db ? db_exec(db, &q_next_due, 0, NULL, &s) : NULL;
	if (s == DB_OK && !PQgetisnull(res, 0, 0))
		*ms = db_int(res, 0, 0) > 0 ? (long)db_int(res, 0, 0) : 0;
	PQclear(res);
	return s;
}

/* A blob being extracted right now (its job locked) is left alone: the
 * job's row can't be taken with NOWAIT, and its outcome is on its way. */
static struct db_stmt q_requeue =
    DB_STMT("WITH v AS (SELECT v.blob_id, v.mime FROM asset_versions v"
	    "   WHERE v.asset_id = $1::uuid AND v.number = $2::integer),"
	    " t AS (UPDATE blob_texts t SET status = 'pending', reason = NULL FROM v"
	    "   WHERE t.blob_id = v.blob_id AND t.status <> 'pending' RETURNING t.blob_id)"
	    " INSERT INTO extract_jobs (blob_id, mime) SELECT v.blob_id, v.mime FROM v, t"
	    "   WHERE t.blob_id = v.blob_id"
	    " RETURNING blob_id");
static struct db_stmt q_version_known =
    DB_STMT("SELECT 1 FROM asset_versions WHERE asset_id = $1::uuid AND number = $2::integer");

enum db_status db_extract_requeue(const char *actor_id, const char *id, int version)
{
	char num[16];
	snprintf(num, sizeof num, "%d", version);
	const char *p[] = {id, num};
	enum db_status s = db_write_found(actor_id, &q_requeue, 2, p);
	if (s != DB_NOT_FOUND)
		return s;
	PGresult *res = db_query(false, &q_version_known, 2, p, &s);
	if (s == DB_OK)
		s = PQntuples(res) == 1 ? DB_CONFLICT : DB_NOT_FOUND;
	PQclear(res);
	return s;
}

static struct db_stmt q_thumbnail =
    DB_STMT("SELECT t.thumb_blob_id, b.size, encode(b.sha256, 'hex'), t.thumb_mime"
	    " FROM blob_texts t JOIN blobs b ON b.id = t.thumb_blob_id WHERE t.blob_id = $1");

enum db_status db_extract_thumbnail(int64_t blob, struct asset_content *out)
{
	char id[24];
	blob_text(blob, id);
	const char *p[] = {id};
	enum db_status s;
	PGresult *res = db_query(false, &q_thumbnail, 1, p, &s);
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK) {
		out->blob = db_int(res, 0, 0);
		out->size = (uint64_t)db_int(res, 0, 1);
		db_copy(out->sha256, sizeof out->sha256, res, 0, 2);
		db_copy(out->mime, sizeof out->mime, res, 0, 3);
		snprintf(out->filename, sizeof out->filename, "thumbnail.%s",
			 strcmp(out->mime, "image/jpeg") == 0 ? "jpg" : "png");
	}
	PQclear(res);
	return s;
}

static struct db_stmt q_depth = DB_STMT("SELECT count(*) FROM extract_jobs");

enum db_status db_extract_queue_depth(long *n)
{
	enum db_status s;
	PGresult *res = db_query(true, &q_depth, 0, NULL, &s);
	long long v = 0;
	s = db_integer(res, s, &v);
	*n = (long)v;
	return s;
}
