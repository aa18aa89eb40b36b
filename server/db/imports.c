/* Deal imports: jobs, people, and staging by COPY (contracts in
 * db_imports.h; the merge is schema/functions/import_merge.sql). */
#include "db_imports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "log.h"

/* ---- jobs ---- */

struct job_new {
	const char *actor, *params;
	long rows;
	bool running;
	int64_t blob;
	char *id;
};

static struct db_stmt q_job_new =
    DB_STMT("INSERT INTO import_jobs (actor, blob_id, params, rows_total, status, started_at,"
	    " runner) VALUES ($1, $2, $3::jsonb, $4, CASE WHEN $5 THEN 'running' ELSE 'queued' END,"
	    "  CASE WHEN $5 THEN now() END, CASE WHEN $5 THEN gen_random_uuid() END) RETURNING id");

static enum db_status job_new_tx(struct db *db, void *cls)
{
	struct job_new *j = cls;
	char blob[24], rows[24];
	snprintf(blob, sizeof blob, "%lld", (long long)j->blob);
	snprintf(rows, sizeof rows, "%ld", j->rows);
	const char *p[] = {j->actor, blob, j->params, rows, j->running ? "true" : "false"};
	enum db_status s;
	PGresult *res = db_exec(db, &q_job_new, 5, p, &s);
	if (s == DB_OK)
		db_copy(j->id, UUID_LEN + 1, res, 0, 0);
	PQclear(res);
	return s;
}

enum db_status db_import_job_create(struct db_upload *upload, const char *actor_id,
				    const char *params, long rows, bool running,
				    char id[UUID_LEN + 1])
{
	struct job_new j = {actor_id, params, rows, running, db_upload_blob(upload), id};
	return db_upload_commit(upload, job_new_tx, &j);
}

#define JOB_COLUMNS "id, actor, blob_id, params::text, rows_total, runner"

static void job_of(const PGresult *res, struct db_import_job *job)
{
	db_copy(job->id, sizeof job->id, res, 0, 0);
	db_copy(job->actor, sizeof job->actor, res, 0, 1);
	job->blob = PQgetisnull(res, 0, 2) ? 0 : db_int(res, 0, 2);
	job->params = db_dup(res, 0, 3);
	job->rows = (long)db_int(res, 0, 4);
	db_copy(job->runner, sizeof job->runner, res, 0, 5);
}

static enum db_status job_from(PGresult *res, enum db_status s, struct db_import_job *job)
{
	memset(job, 0, sizeof *job);
	if (s == DB_OK && PQntuples(res) == 1)
		job_of(res, job);
	else if (s == DB_OK)
		s = DB_NOT_FOUND;
	PQclear(res);
	return s == DB_OK && job->params == NULL ? DB_ERROR : s;
}

static struct db_stmt q_job_next = DB_STMT(
    "UPDATE import_jobs SET status = 'running', started_at = now(), runner = gen_random_uuid()"
    " WHERE id = (SELECT id FROM import_jobs WHERE status = 'queued' ORDER BY created_at"
    "  LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " JOB_COLUMNS);

enum db_status db_import_job_next(struct db_import_job *job)
{
	enum db_status s;
	PGresult *res = db_write(NULL, &q_job_next, 0, NULL, &s);
	return job_from(res, s, job);
}

static struct db_stmt q_job_load =
    DB_STMT("SELECT " JOB_COLUMNS " FROM import_jobs WHERE id = $1 AND status = 'running'");

enum db_status db_import_job_load(const char *id, struct db_import_job *job)
{
	const char *p[] = {id};
	enum db_status s;
	PGresult *res = db_query(false, &q_job_load, 1, p, &s);
	return job_from(res, s, job);
}

void db_import_job_free(struct db_import_job *job)
{
	free(job->params);
	job->params = NULL;
}

/* A run's transaction locks its job from its start (q_lock_job), a few
 * milliseconds after the claim: a running job that is not locked and was
 * claimed more than a few seconds ago has lost its run. */
static struct db_stmt q_requeue =
    DB_STMT("UPDATE import_jobs SET status = 'queued', started_at = NULL, runner = NULL"
	    " WHERE id IN (SELECT id FROM import_jobs WHERE status = 'running'"
	    "  AND started_at < now() - interval '10 seconds' FOR UPDATE SKIP LOCKED)");

enum db_status db_import_jobs_requeue(void)
{
	enum db_status s;
	PQclear(db_write(NULL, &q_requeue, 0, NULL, &s));
	return s;
}

static struct db_stmt q_fail =
    DB_STMT("UPDATE import_jobs SET status = 'failed', error = $2, blob_id = NULL,"
	    " finished_at = now() WHERE id = $1 AND runner = $3");

enum db_status db_import_job_fail(const struct db_import_job *job, const char *error)
{
	const char *p[] = {job->id, error, job->runner};
	enum db_status s;
	PQclear(db_write(NULL, &q_fail, 3, p, &s));
	return s;
}

static struct db_stmt q_job_json =
    DB_STMT("SELECT jsonb_build_object('id', j.id, 'status', j.status,"
	    "  'dry_run', coalesce((j.params->>'dry_run')::boolean, false), 'params', j.params,"
	    "  'rows_total', j.rows_total,"
	    "  'rows_read', CASE WHEN j.status IN ('done', 'failed') THEN j.rows_total ELSE 0 END,"
	    "  'report', j.report, 'error', j.error, 'created_at', rfc3339(j.created_at),"
	    "  'started_at', rfc3339(j.started_at), 'finished_at', rfc3339(j.finished_at))::text"
	    " FROM import_jobs j WHERE j.id::text = $1");

enum db_status db_import_job_json(const char *id, char **json)
{
	const char *p[] = {id};
	enum db_status s;
	PGresult *res = db_query(false, &q_job_json, 1, p, &s);
	return db_text(res, s, json);
}

/* ---- people ---- */

/* Owner aliases first (what a marketer said wins over a name that happens
 * to match), each as a person whose e-mail and name are the alias. */
static struct db_stmt q_people = DB_STMT(
    "SELECT id, email, name FROM ("
    "  SELECT u.id, a.alias AS email, a.alias AS name, 0 AS rank, a.created_at, a.folded AS k"
    "  FROM owner_aliases a JOIN users u ON u.id = a.user_id AND u.active"
    "  UNION ALL SELECT id, email, name, 1, created_at, id::text FROM users WHERE active) p"
    " ORDER BY rank, created_at, k");

enum db_status db_import_people(struct db_person **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	enum db_status s;
	PGresult *res = db_query(false, &q_people, 0, NULL, &s);
	int rows = s == DB_OK ? PQntuples(res) : 0;
	struct db_person *p = calloc((size_t)rows + 1, sizeof *p);
	if (s == DB_OK && p == NULL)
		s = DB_ERROR;
	for (int i = 0; s == DB_OK && i < rows; i++) {
		db_copy(p[i].id, sizeof p[i].id, res, i, 0);
		p[i].email = db_dup(res, i, 1);
		p[i].name = db_dup(res, i, 2);
		*n = (size_t)i + 1;
		if (p[i].email == NULL || p[i].name == NULL)
			s = DB_ERROR;
	}
	PQclear(res);
	*out = p;
	return s;
}

void db_import_people_free(struct db_person *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].email);
		free(p[i].name);
	}
	free(p);
}

/* ---- staging ---- */

/* COPY data goes to libpq in pieces of about this size, not line by line
 * (a call and a message per line). */
#define COPY_PIECE (64u * 1024)

struct db_import {
	struct db db;
	bool copying;
	char *buf; /* COPY lines not yet handed to libpq */
	size_t len, cap;
};

/* The merge sorts and hashes whole files: in memory, not on disk; its
 * temporary tables stay in memory too (8 MB by default: a file of 100,000
 * rows has about 50 MB of them; settable only before the session's first
 * temporary table, and for the session: this connection is the import's
 * own, closed after it). A job of a million rows may take longer than a
 * request's statement. Its commit does not wait for the WAL flush: a
 * crash right after it loses the job's transaction whole (its report with
 * it), and the job, still running in the database, is run again at the
 * next start. */
static struct db_stmt q_work_mem = DB_STMT("SELECT set_config('work_mem', '128MB', true),"
					   " set_config('temp_buffers', '128MB', false),"
					   " set_config('statement_timeout', '1h', true),"
					   " set_config('synchronous_commit', 'off', true)");
/* The staging table: one row per move (see import_merge.sql). */
static struct db_stmt q_staging =
    DB_STMT("CREATE TEMP TABLE import_rows (line integer NOT NULL, key text NOT NULL, ext text,"
	    " name text, account text, owner uuid, amount numeric, created text,"
	    " stage_text text NOT NULL, stage_column text NOT NULL, at text, close_at text,"
	    " modified_at text, main boolean NOT NULL, explicit boolean NOT NULL) ON COMMIT DROP");
static const char copy_in[] =
    "COPY import_rows (line, key, ext, name, account, owner, amount, created, stage_text,"
    " stage_column, at, close_at, modified_at, main, explicit) FROM STDIN";

/* The run's hold on its job (see q_requeue). */
static struct db_stmt q_lock_job =
    DB_STMT("SELECT 1 FROM import_jobs WHERE id = $1 AND runner = $2 AND status = 'running'"
	    " FOR UPDATE SKIP LOCKED");

static enum db_status lock_job(struct db *db, const struct db_import_job *job)
{
	const char *p[] = {job->id, job->runner};
	enum db_status s;
	PGresult *res = db_exec(db, &q_lock_job, 2, p, &s);
	if (s == DB_OK && PQntuples(res) != 1)
		s = DB_NOT_FOUND;
	PQclear(res);
	return s;
}

enum db_status db_import_open(const struct db_import_job *job, struct db_import **out)
{
	*out = NULL;
	struct db_import *im = calloc(1, sizeof *im);
	if (im == NULL)
		return DB_ERROR;
	im->db.url = db_primary_url();
	if (!db_ensure(&im->db)) {
		enum db_status s = db_down(&im->db);
		free(im);
		return s;
	}
	enum db_status s = db_begin(&im->db, job->actor);
	if (s == DB_OK)
		s = lock_job(&im->db, job);
	if (s == DB_OK)
		s = db_do(&im->db, &q_work_mem, 0, NULL);
	if (s == DB_OK)
		s = db_do(&im->db, &q_staging, 0, NULL);
	if (s == DB_OK) {
		PGresult *res = PQexec(im->db.pg, copy_in);
		if (PQresultStatus(res) == PGRES_COPY_IN)
			im->copying = true;
		else
			s = db_error_of(&im->db, res);
		PQclear(res);
	}
	if (s != DB_OK) {
		db_import_abort(im);
		return s;
	}
	*out = im;
	return DB_OK;
}

/* Appends @v to the COPY data as a text-format field (NULL or "": \N),
 * then @sep. False when out of memory. */
static bool put_field(struct db_import *im, const char *v, char sep)
{
	size_t need = im->len + 2 * (v ? strlen(v) : 0) + 4;
	if (need > im->cap) {
		size_t cap = need < COPY_PIECE ? 2 * COPY_PIECE : 2 * need;
		char *more = realloc(im->buf, cap);
		if (more == NULL)
			return false;
		im->buf = more;
		im->cap = cap;
	}
	char *p = im->buf + im->len;
	if (v == NULL || v[0] == '\0') {
		*p++ = '\\';
		*p++ = 'N';
	}
	for (; v && *v; v++) {
		char c = *v;
		if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
			*p++ = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
		}
		*p++ = c;
	}
	*p++ = sep;
	im->len = (size_t)(p - im->buf);
	return true;
}

/* Hands the COPY data gathered so far to libpq. */
static enum db_status put_pending(struct db_import *im)
{
	if (im->len > 0 && PQputCopyData(im->db.pg, im->buf, (int)im->len) != 1)
		return db_error_of(&im->db, NULL);
	im->len = 0;
	return DB_OK;
}

/* @v in decimal into @out (room for 21 bytes): snprintf's cost, once per
 * move, showed in profiles. */
static const char *decimal(long v, char out[static 21])
{
	char *p = out + 20;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	*p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return p;
}

enum db_status db_import_put(struct db_import *im, const struct db_import_move *m)
{
	char line[21];
	const char *v[] = {decimal(m->line, line),
			   m->key,
			   m->ext,
			   m->name,
			   m->account,
			   m->owner,
			   m->amount,
			   m->created,
			   m->stage,
			   m->column,
			   m->at,
			   m->close,
			   m->modified,
			   m->main ? "t" : "f",
			   m->explicit ? "t" : "f"};
	size_t n = sizeof v / sizeof v[0];
	for (size_t i = 0; i < n; i++)
		if (!put_field(im, v[i], i + 1 < n ? '\t' : '\n'))
			return DB_ERROR;
	return im->len >= COPY_PIECE ? put_pending(im) : DB_OK;
}

static struct db_stmt q_merge = DB_STMT("SELECT import_merge($1, $2::integer)::text");

enum db_status db_import_merge(struct db_import *im, const char *tz, int errors_max, char **report)
{
	*report = NULL;
	enum db_status s = put_pending(im);
	if (s != DB_OK)
		return s;
	if (PQputCopyEnd(im->db.pg, NULL) != 1)
		return db_error_of(&im->db, NULL);
	im->copying = false;
	PGresult *res;
	while ((res = PQgetResult(im->db.pg)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && s == DB_OK)
			s = db_error_of(&im->db, res);
		PQclear(res);
	}
	if (s != DB_OK)
		return s;
	char max[16];
	snprintf(max, sizeof max, "%d", errors_max);
	const char *p[] = {tz, max};
	res = db_exec(&im->db, &q_merge, 2, p, &s);
	return db_text(res, s, report);
}

static struct db_stmt q_done =
    DB_STMT("UPDATE import_jobs SET status = 'done', report = $2::jsonb, blob_id = NULL,"
	    " finished_at = now() WHERE id = $1");

enum db_status db_import_finish(struct db_import *im, const char *job_id, const char *report,
				bool commit)
{
	const char *p[] = {job_id, report};
	enum db_status s;
	if (commit) {
		s = db_do(&im->db, &q_done, 2, p);
		if (s == DB_OK)
			s = db_commit(&im->db);
	} else {
		db_rollback(&im->db);
		s = db_do(&im->db, &q_done, 2, p);
	}
	db_import_abort(im);
	return s;
}

void db_import_abort(struct db_import *im)
{
	if (im == NULL)
		return;
	if (im->copying)
		PQputCopyEnd(im->db.pg, "aborted");
	PGresult *res;
	while (im->copying && (res = PQgetResult(im->db.pg)) != NULL)
		PQclear(res);
	db_rollback(&im->db);
	db_close(&im->db);
	free(im->buf);
	free(im);
}

static struct db_stmt q_zone =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"
	    " OR EXISTS (SELECT 1 FROM pg_timezone_abbrevs WHERE abbrev = $1)");

enum db_status db_import_zone_known(const char *tz, bool *known)
{
	const char *p[] = {tz};
	enum db_status s;
	PGresult *res = db_query(true, &q_zone, 1, p, &s);
	*known = s == DB_OK && db_bool(res, 0, 0);
	PQclear(res);
	return s;
}
