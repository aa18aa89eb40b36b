/* Connections (one per worker thread, made on first use and re-made after a
 * failure), lazy statement preparation, error mapping and the transaction
 * runner. */
#include "db_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static const char *primary_url, *read_url;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static atomic_uint open_conns, next_stmt_id;
static atomic_ulong errors, disk_full;

struct thread_dbs {
	struct db primary, replica;
};

static void drop(struct db *db)
{
	if (db->pg != NULL) {
		PQfinish(db->pg);
		db->pg = NULL;
		atomic_fetch_sub(&open_conns, 1);
	}
	memset(db->prepared, 0, sizeof db->prepared);
}

static void thread_exit(void *p)
{
	struct thread_dbs *t = p;
	drop(&t->primary);
	drop(&t->replica);
	free(t);
}

static void make_key(void)
{
	pthread_key_create(&key, thread_exit);
}

static void ignore_notice(void *cls, const char *message)
{
	(void)cls;
	(void)message;
}

PGconn *db_connect(const char *url, char *err, size_t errlen)
{
	/* Keywords after the expanded url override it. A statement timeout
	 * keeps a stuck query from holding a worker thread forever. Search
	 * takes a title within word similarity 0.45 of the query as a match
	 * (pg_trgm's <% operator; its default of 0.6 misses one-letter typos
	 * in short words). No JIT: on tables too small to have statistics
	 * (six personas, seven stages) the planner's default estimates make
	 * the coverage matrix look like millions of rows, and compiling it
	 * took 1.4 s of a 1.5 s answer; no query here is long enough to
	 * repay a compilation. */
	const char *const keys[] = {"dbname", "connect_timeout", "application_name", "options",
				    NULL};
	const char *const vals[] = {url, "5", "nextstage",
				    "-c timezone=UTC -c statement_timeout=60000 -c jit=off"
				    " -c pg_trgm.word_similarity_threshold=0.45",
				    NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (pg != NULL && PQstatus(pg) == CONNECTION_OK) {
		/* libpq would print NOTICEs (e.g. a search of stop words only)
		 * on stderr, in the middle of the JSON log. */
		PQsetNoticeProcessor(pg, ignore_notice, NULL);
		return pg;
	}
	if (err != NULL) {
		snprintf(err, errlen, "%s", pg ? PQerrorMessage(pg) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
	}
	PQfinish(pg);
	return NULL;
}

const char *db_primary_url(void)
{
	return primary_url;
}

int db_init(const char *url, const char *rurl, unsigned timeout_s, char *err, size_t errlen)
{
	primary_url = url;
	read_url = (rurl != NULL && strcmp(rurl, url) != 0) ? rurl : NULL;
	pthread_once(&key_once, make_key);
	for (unsigned waited = 0;; waited++) {
		PGconn *pg = db_connect(url, err, errlen);
		if (pg != NULL) {
			PQfinish(pg);
			return 0;
		}
		if (waited >= timeout_s)
			return -1;
		sleep(1);
	}
}

/* The calling thread's connection, connected; NULL when the database
 * cannot be reached. */
static struct db *db_get(bool read_only, enum db_status *down)
{
	*down = DB_UNAVAILABLE;
	struct thread_dbs *t = pthread_getspecific(key);
	if (t == NULL) {
		t = calloc(1, sizeof *t);
		if (t == NULL)
			return NULL;
		t->primary.url = primary_url;
		t->replica.url = read_url;
		pthread_setspecific(key, t);
	}
	struct db *db = (read_only && read_url != NULL) ? &t->replica : &t->primary;
	if (db_ensure(db))
		return db;
	*down = db_down(db);
	return NULL;
}

static void note_disk_full(const PGresult *res);

bool db_ensure(struct db *db)
{
	if (db->pg != NULL && PQstatus(db->pg) != CONNECTION_OK)
		drop(db);
	if (db->pg == NULL) {
		char err[256];
		db->pg = db_connect(db->url, err, sizeof err);
		/* A server without disk space refuses sessions: "FATAL: could not
		 * write init file" (its text is all libpq passes on). */
		db->full = db->pg == NULL && strstr(err, "could not write init file") != NULL;
		if (db->full) {
			note_disk_full(NULL);
			return false;
		}
		if (db->pg == NULL) {
			atomic_fetch_add(&errors, 1);
			log_msg("error", "database connection failed: %s", err);
			return false;
		}
		atomic_fetch_add(&open_conns, 1);
	}
	return true;
}

enum db_status db_down(const struct db *db)
{
	return db->full ? DB_FULL : DB_UNAVAILABLE;
}

void db_close(struct db *db)
{
	drop(db);
}

void db_thread_done(void)
{
	struct thread_dbs *t = pthread_getspecific(key);
	if (t != NULL) {
		pthread_setspecific(key, NULL);
		thread_exit(t);
	}
}

unsigned db_pool_size(void)
{
	return atomic_load(&open_conns);
}

unsigned long db_error_count(void)
{
	return atomic_load(&errors);
}

unsigned long db_disk_full_count(void)
{
	return atomic_load(&disk_full);
}

/* A statement refused for want of disk (SQLSTATE 53100: PostgreSQL could
 * not extend a table or index file; reads go on). Said once every
 * DISK_FULL_LOG_S at most, with the refusals since: a full disk refuses
 * every write, and one line each would bury the access log. */
#define DISK_FULL_LOG_S 10
static void note_disk_full(const PGresult *res)
{
	static atomic_long said_at;
	static atomic_ulong unsaid;
	atomic_fetch_add(&disk_full, 1);
	atomic_fetch_add(&unsaid, 1);
	long now = (long)time(NULL), last = atomic_load(&said_at);
	if (last != 0 && now - last < DISK_FULL_LOG_S)
		return;
	if (!atomic_compare_exchange_strong(&said_at, &last, now))
		return; /* another thread says it */
	const char *why = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	log_msg("error",
		"database disk full (SQLSTATE 53100): %s; writes answer 503 storage_full, reads"
		" go on, until space is freed on the database's file system (%lu refused since"
		" the last line like this)",
		why ? why : "no space left on device", atomic_exchange(&unsaid, 0));
}

enum db_status db_error_of(struct db *db, const PGresult *res)
{
	if (PQstatus(db->pg) != CONNECTION_OK) {
		drop(db);
		return DB_UNAVAILABLE;
	}
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL)
		state = "";
	if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0)
		return DB_CONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_RETRY;
	if (strcmp(state, "53100") == 0) {
		note_disk_full(res);
		return DB_FULL;
	}
	/* No SQLSTATE: libpq's own error, which is the connection lost in the
	 * middle of a statement ("server closed the connection unexpectedly")
	 * before PQstatus says so. */
	if (state[0] == '\0' && res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR) {
		log_msg("warn", "database connection lost: %s", PQresultErrorMessage(res));
		drop(db);
		return DB_UNAVAILABLE;
	}
	if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	    strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
		drop(db);
		return DB_UNAVAILABLE;
	}
	log_msg("error", "database error %s: %s", state,
		res ? PQresultErrorMessage(res) : PQerrorMessage(db->pg));
	return DB_ERROR;
}

bool db_prepare(struct db *db, struct db_stmt *st, int n, enum db_status *out)
{
	unsigned id = atomic_load(&st->id);
	if (id == 0) {
		unsigned fresh = atomic_fetch_add(&next_stmt_id, 1) + 1;
		if (!atomic_compare_exchange_strong(&st->id, &id, fresh))
			; /* another thread won: id holds its value */
		else
			id = fresh;
	}
	if (id >= DB_MAX_STMTS) {
		log_msg("error", "more than %d statements: raise DB_MAX_STMTS", DB_MAX_STMTS);
		*out = DB_ERROR;
		return false;
	}
	if (db->prepared[id / 8] & (1u << (id % 8)))
		return true;
	char name[16];
	snprintf(name, sizeof name, "s%u", id);
	PGresult *res = PQprepare(db->pg, name, st->sql, n, NULL);
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (ok)
		db->prepared[id / 8] |= (unsigned char)(1u << (id % 8));
	else
		*out = db_error_of(db, res);
	PQclear(res);
	return ok;
}

enum db_status db_refuse(struct db_fault *f, enum db_status s, const char *field, const char *fmt,
			 ...)
{
	va_list ap;
	va_start(ap, fmt);
	f->field = field;
	f->missing = false;
	f->code = NULL;
	vsnprintf(f->detail, sizeof f->detail, fmt, ap);
	va_end(ap);
	return s;
}

void db_stmt_name(const struct db_stmt *st, char name[16])
{
	snprintf(name, 16, "s%u", atomic_load(&st->id));
}

PGresult *db_exec(struct db *db, struct db_stmt *st, int n, const char *const *params,
		  enum db_status *st_out)
{
	return db_exec_bin(db, st, n, params, NULL, NULL, 0, st_out);
}

PGresult *db_exec_bin(struct db *db, struct db_stmt *st, int n, const char *const *params,
		      const int *lengths, const int *formats, int result_format,
		      enum db_status *st_out)
{
	if (!db_prepare(db, st, n, st_out))
		return NULL;
	char name[16];
	snprintf(name, sizeof name, "s%u", atomic_load(&st->id));
	PGresult *res = PQexecPrepared(db->pg, name, n, params, lengths, formats, result_format);
	ExecStatusType s = PQresultStatus(res);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		*st_out = DB_OK;
		return res;
	}
	*st_out = db_error_of(db, res);
	if (*st_out == DB_ERROR || *st_out == DB_UNAVAILABLE || *st_out == DB_FULL)
		atomic_fetch_add(&errors, 1);
	PQclear(res);
	return NULL;
}

enum db_status db_do(struct db *db, struct db_stmt *st, int n, const char *const *params)
{
	enum db_status s;
	PQclear(db_exec(db, st, n, params, &s));
	return s;
}

void db_copy(char *dst, size_t len, const PGresult *res, int row, int col)
{
	snprintf(dst, len, "%s", PQgetvalue(res, row, col));
}

enum db_status db_text(PGresult *res, enum db_status s, char **out)
{
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK && (*out = db_dup(res, 0, 0)) == NULL)
		s = PQgetisnull(res, 0, 0) ? DB_NOT_FOUND : DB_ERROR;
	PQclear(res);
	return s;
}

enum db_status db_integer(PGresult *res, enum db_status s, long long *out)
{
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		*out = db_int(res, 0, 0);
	PQclear(res);
	return s;
}

char *db_dup(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

bool db_bool(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col)[0] == 't';
}

long long db_int(const PGresult *res, int row, int col)
{
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void backoff(int attempt)
{
	struct timespec ts = {0, (long)(attempt * 4 + rand() % 8) * 1000000L};
	nanosleep(&ts, NULL);
}

static struct db_stmt q_begin = DB_STMT("BEGIN");
static struct db_stmt q_actor = DB_STMT("SELECT set_config('nextstage.actor', $1, true)");
static struct db_stmt q_commit = DB_STMT("COMMIT");
static struct db_stmt q_rollback = DB_STMT("ROLLBACK");

enum db_status db_begin(struct db *db, const char *actor)
{
	enum db_status s = db_do(db, &q_begin, 0, NULL);
	const char *p[] = {actor ? actor : ""};
	return s == DB_OK ? db_do(db, &q_actor, 1, p) : s;
}

enum db_status db_commit(struct db *db)
{
	return db_do(db, &q_commit, 0, NULL);
}

void db_rollback(struct db *db)
{
	if (db->pg != NULL && PQtransactionStatus(db->pg) != PQTRANS_IDLE)
		db_do(db, &q_rollback, 0, NULL);
}

/* One attempt; *committing tells whether COMMIT was sent (then a lost
 * connection leaves the outcome unknown and must not be retried). */
static enum db_status attempt_tx(struct db *db, const char *actor, db_tx_fn fn, void *cls,
				 bool *committing)
{
	enum db_status s = db_begin(db, actor);
	if (s == DB_OK)
		s = fn(db, cls);
	if (s == DB_OK) {
		*committing = true;
		return db_commit(db);
	}
	db_rollback(db);
	return s;
}

static enum db_status run(bool tx, bool read_only, const char *actor, db_tx_fn fn, void *cls)
{
	enum db_status s = DB_UNAVAILABLE;
	bool reconnected = false;
	for (int attempt = 0; attempt < 6; attempt++) {
		enum db_status down;
		struct db *db = db_get(read_only && !tx, &down);
		if (db == NULL)
			return down;
		bool committing = false;
		s = tx ? attempt_tx(db, actor, fn, cls, &committing) : fn(db, cls);
		if (s == DB_RETRY) {
			backoff(attempt);
			continue;
		}
		/* A connection that died while idle (a database restart) fails
		 * its first statement: reconnect once and run again. */
		if (s == DB_UNAVAILABLE && !committing && !reconnected) {
			reconnected = true;
			continue;
		}
		return s;
	}
	return s == DB_RETRY ? DB_ERROR : s;
}

enum db_status db_tx(const char *actor_id, db_tx_fn fn, void *cls)
{
	return run(true, false, actor_id, fn, cls);
}

enum db_status db_run(bool read_only, db_tx_fn fn, void *cls)
{
	return run(false, read_only, NULL, fn, cls);
}

static struct db_stmt q_ping = DB_STMT("SELECT 1");

static enum db_status ping(struct db *db, void *cls)
{
	(void)cls;
	return db_do(db, &q_ping, 0, NULL);
}

bool db_ping(void)
{
	return db_run(false, ping, NULL) == DB_OK;
}

struct one {
	struct db_stmt *st;
	int n;
	const char *const *params;
	const int *lengths, *formats;
	int result_format;
	PGresult *res;
};

static enum db_status run_one(struct db *db, void *cls)
{
	struct one *o = cls;
	enum db_status s;
	PQclear(o->res); /* from an earlier attempt */
	o->res =
	    db_exec_bin(db, o->st, o->n, o->params, o->lengths, o->formats, o->result_format, &s);
	return s;
}

static PGresult *query(bool read_only, struct db_stmt *st, int n, const char *const *params,
		       int result_format, enum db_status *st_out)
{
	struct one o = {st, n, params, NULL, NULL, result_format, NULL};
	*st_out = db_run(read_only, run_one, &o);
	if (*st_out != DB_OK) {
		PQclear(o.res);
		return NULL;
	}
	return o.res;
}

PGresult *db_query(bool read_only, struct db_stmt *st, int n, const char *const *params,
		   enum db_status *st_out)
{
	return query(read_only, st, n, params, 0, st_out);
}

PGresult *db_query_bin(struct db_stmt *st, int n, const char *const *params, enum db_status *st_out)
{
	return query(false, st, n, params, 1, st_out);
}

PGresult *db_write(const char *actor_id, struct db_stmt *st, int n, const char *const *params,
		   enum db_status *st_out)
{
	return db_write_bin(actor_id, st, n, params, NULL, NULL, st_out);
}

enum db_status db_write_found(const char *actor_id, struct db_stmt *st, int n,
			      const char *const *params)
{
	enum db_status s;
	PGresult *res = db_write(actor_id, st, n, params, &s);
	if (s == DB_OK && atoi(PQcmdTuples(res)) == 0)
		s = DB_NOT_FOUND;
	PQclear(res);
	return s;
}

PGresult *db_write_bin(const char *actor_id, struct db_stmt *st, int n, const char *const *params,
		       const int *lengths, const int *formats, enum db_status *st_out)
{
	struct one o = {st, n, params, lengths, formats, 0, NULL};
	*st_out = db_tx(actor_id, run_one, &o);
	if (*st_out != DB_OK) {
		PQclear(o.res);
		return NULL;
	}
	return o.res;
}

enum db_status db_list(bool read_only, struct db_stmt *st, int n, const char **params, int limit,
		       char **json, char **next)
{
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	params[n - 1] = lim;
	enum db_status s;
	PGresult *res = db_query(read_only, st, n, params, &s);
	*json = *next = NULL;
	if (s == DB_OK)
		*next = db_dup(res, 0, 1);
	return db_text(res, s, json);
}
