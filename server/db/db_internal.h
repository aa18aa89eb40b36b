/* Private to server/db/: the libpq side of the database layer. */
#ifndef NS_DB_INTERNAL_H
#define NS_DB_INTERNAL_H
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "db.h"

#define DB_MAX_STMTS 1024

/* A statement of the application: prepared lazily, once per connection,
 * under a name derived from its id. Declare each one static next to the
 * function that runs it: static struct db_stmt q = DB_STMT("SELECT ...");
 * Only $n parameters, never string-built SQL. */
struct db_stmt {
	const char *sql;
	atomic_uint id; /* 0 until first use */
};
#define DB_STMT(q)                                                                                 \
	{                                                                                          \
		.sql = (q)                                                                         \
	}

struct db {
	PGconn *pg;
	const char *url;
	bool full; /* the last connection failed for want of disk (see db_down) */
	unsigned char prepared[DB_MAX_STMTS / 8];
};

/* A new connection to @url (UTC, a statement timeout), or NULL with
 * libpq's reason in @err. */
PGconn *db_connect(const char *url, char *err, size_t errlen);

/* Connects @db (to db->url) if it has no live connection, forgetting
 * what was prepared on a dead one; false (logged, counted) when the
 * database can't be reached. */
bool db_ensure(struct db *db);
/* Why db_ensure failed: DB_FULL when the database refused the connection
 * for want of disk (a new session writes a file first), else
 * DB_UNAVAILABLE. */
enum db_status db_down(const struct db *db);
/* Closes @db's connection, if any. */
void db_close(struct db *db);

/* The primary's connection string, as given to db_init(). */
const char *db_primary_url(void);

/* Newest-first keyset pages over rows with created_at and id, the cursor
 * being "<created_at> <id>" of the last row shown (see keyset_valid):
 * KEYSET_AFTER(alias, param) is the condition "after the cursor" (true
 * when the parameter is NULL); KEYSET_TAIL(json_fn, limit) follows a CTE
 * "page" of up to limit + 1 rows and selects {"items": [json_fn(row)...]}
 * and the next cursor (NULL at the end). */
#define KEYSET_AFTER(t, p)                                                                         \
	"(" p "::text IS NULL OR (" t ".created_at, " t ".id) <"                                   \
	" (split_part(" p ", ' ', 1)::timestamptz, split_part(" p ", ' ', 2)::uuid))"
#define KEYSET_TAIL(json_fn, lim)                                                                  \
	" shown AS (SELECT * FROM page ORDER BY created_at DESC, id DESC LIMIT " lim "::integer)"  \
	" SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(" json_fn "(x)"            \
	"   ORDER BY x.created_at DESC, x.id DESC) FROM shown x), '[]')),"                         \
	" CASE WHEN (SELECT count(*) FROM page) > " lim "::integer THEN"                           \
	"  (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"    \
	"   || ' ' || id FROM shown ORDER BY created_at, id LIMIT 1) END"

/* Runs @st with text parameters (NULL = SQL NULL). Returns the result
 * (PQclear it) with *st_out = DB_OK, or NULL with the mapped failure:
 * unique/foreign-key violation -> DB_CONFLICT, serialization/deadlock
 * -> DB_RETRY, a lost connection ->
 * DB_UNAVAILABLE (the connection is dropped and re-made on next use),
 * anything else (a data or check error among them: the server's fault)
 * -> DB_ERROR (logged). The project's own refusals (NS001-NS003) are
 * read by db_refusal_of. */
PGresult *db_exec(struct db *db, struct db_stmt *st, int n, const char *const *params,
		  enum db_status *st_out);

/* db_exec with parameter lengths and formats (1 = binary) and a result
 * format (1 = binary), for bytea in and out without hex encoding. */
PGresult *db_exec_bin(struct db *db, struct db_stmt *st, int n, const char *const *params,
		      const int *lengths, const int *formats, int result_format,
		      enum db_status *st_out);

/* For transactions that span more than one call (uploads): BEGIN and the
 * audit actor, COMMIT, and ROLLBACK when a transaction is open. */
enum db_status db_begin(struct db *db, const char *actor);
enum db_status db_commit(struct db *db);
void db_rollback(struct db *db);

/* Prepares @st (@n parameters) on @db if it is not yet: true, or false
 * with the failure in *@out. Its name is "s<id>" (see db_stmt_name). */
bool db_prepare(struct db *db, struct db_stmt *st, int n, enum db_status *out);
/* The name @st is prepared under. */
void db_stmt_name(const struct db_stmt *st, char name[16]);
/* The status a failed @res (or a lost connection) maps to, as db_exec's;
 * drops @db's connection when it is gone. */
enum db_status db_error_of(struct db *db, const PGresult *res);

/* Fills @f with the field at fault and a sentence; returns @s (so a
 * transaction body can "return db_refuse(...)"). */
enum db_status db_refuse(struct db_fault *f, enum db_status s, const char *field, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));

/* The project's SQLSTATEs: how SQL refuses input. They are of class NS,
 * which neither the SQL standard nor PostgreSQL uses. A function or
 * trigger that refuses a value raises one with
 *   RAISE EXCEPTION 'a sentence' USING ERRCODE = 'NS002', COLUMN = 'field';
 * COLUMN is the field as the API names it, the message a sentence for the
 * client:
 *
 *   SQLSTATE  meaning                                  status
 *   NS001     the row a field refers to is not there   DB_NOT_FOUND
 *   NS002     a field's value is wrong                 DB_INVALID
 *   NS003     a field is missing                       DB_INVALID, missing
 *
 * SQL never answers with API error codes or words, and nothing else it
 * raises is the client's fault: a value PostgreSQL itself refuses on a
 * known field (a time, 22007/22008; an id, 22P02) is caught by field in
 * the SQL and raised again as NS002. Any other error is a server fault:
 * logged with its cause, answered 500. A batch that reports refusals per
 * item (ingest_events) catches these three SQLSTATEs per item with GET
 * STACKED DIAGNOSTICS and lets every other error fail the batch. */
#define DB_SQLSTATE_NOT_FOUND "NS001"
#define DB_SQLSTATE_INVALID   "NS002"
#define DB_SQLSTATE_MISSING   "NS003"

/* The status project SQLSTATE @state (NULL allowed) stands for, *@missing
 * set for NS003; DB_OK when it is not one of them. */
enum db_status db_refusal_of(const char *state, bool *missing);
/* The entry of @fields (NULL-terminated) equal to @name, or NULL. */
const char *db_field_of(const char *name, const char *const *fields);

/* A page of a list: runs @st (as db_query) with @params, the @n - 1
 * filters and cursor, followed by @limit as the last parameter; the
 * statement selects the page's JSON and the next cursor (NULL at the
 * end), which land in *@json and *@next (malloc'd). */
enum db_status db_list(bool read_only, struct db_stmt *st, int n, const char **params, int limit,
		       char **json, char **next);

/* db_exec for statements whose rows are not needed (PQclear done). */
enum db_status db_do(struct db *db, struct db_stmt *st, int n, const char *const *params);

/* One statement with db_run's reconnect rule (reads), or in its own
 * audited transaction as @actor_id (writes). The result or NULL, as db_exec. */
PGresult *db_query(bool read_only, struct db_stmt *st, int n, const char *const *params,
		   enum db_status *st_out);
/* db_query on the primary with binary results (bytea as raw bytes). */
PGresult *db_query_bin(struct db_stmt *st, int n, const char *const *params,
		       enum db_status *st_out);
PGresult *db_write(const char *actor_id, struct db_stmt *st, int n, const char *const *params,
		   enum db_status *st_out);

/* db_write of a statement that changes rows it names: DB_NOT_FOUND when
 * it changed none (the result is dropped). */
enum db_status db_write_found(const char *actor_id, struct db_stmt *st, int n,
			      const char *const *params);

/* db_write with parameter lengths and formats (1 = binary), as db_exec_bin. */
PGresult *db_write_bin(const char *actor_id, struct db_stmt *st, int n, const char *const *params,
		       const int *lengths, const int *formats, enum db_status *st_out);

/* A PostgreSQL array literal of @v (NULL-terminated: {"a","b\"c"}),
 * malloc'd; NULL for NULL (SQL null) or when out of memory. */
char *db_array(const char *const *v);
/* @v as numeric text in @buf (15 significant digits, so 0.1 stays 0.1),
 * or NULL (SQL null) for NAN. */
const char *db_number(double v, char buf[32]);
/* Whether @name is among the field names @given (NULL-terminated). */
bool db_given(const char *const *given, const char *name);
/* A patch's assignment: column @c takes @v when its name is in the
 * text[] parameter @given, and keeps its value otherwise. */
#define DB_SET(c, v, given)                                                                        \
	" " c " = CASE WHEN '" c "' = ANY (" given "::text[]) THEN " v " ELSE " c " END,"

/* Copies column @col of row @row into @dst (truncating, NUL-terminated). */
void db_copy(char *dst, size_t len, const PGresult *res, int row, int col);
/* The first value of @res (from a call that returned @s) as a malloc'd
 * string in *@out: DB_NOT_FOUND for no row or SQL NULL. Clears @res. */
enum db_status db_text(PGresult *res, enum db_status s, char **out);
/* The first value of @res (from a call that returned @s) as an integer in
 * *@out: DB_NOT_FOUND for no row. Clears @res. */
enum db_status db_integer(PGresult *res, enum db_status s, long long *out);
/* The value as a malloc'd string, or NULL when SQL NULL. */
char *db_dup(const PGresult *res, int row, int col);
bool db_bool(const PGresult *res, int row, int col);
long long db_int(const PGresult *res, int row, int col);

/* db_blob_chunk (db_blobs.h) on @db, in whatever transaction it has open. */
enum db_status db_blob_chunk_on(struct db *db, int64_t blob_id, unsigned n, void *buf, size_t *got);

/* Binary COPY out (copybin.c): a field of a row, its bytes or NULL (p)
 * for SQL NULL. */
struct db_field {
	const char *p;
	int len;
};
/* Decodes a row's fields @f into @into, the next element of the array
 * being filled; false to skip the row. @ctx is the caller's. */
typedef bool (*db_copy_row_fn)(void *ctx, const struct db_field *f, void *into);
/* Runs @sql, a COPY ... TO STDOUT (FORMAT binary), decoding each row of
 * @nfields (≤ 8) with @fn into a growing array *@out (realloc'd; the
 * caller frees it) of @size-byte elements, *@n of them. DB_ERROR (logged)
 * for an undecodable row or when out of memory. */
enum db_status db_copy_binary(struct db *db, const char *sql, int nfields, db_copy_row_fn fn,
			      void *ctx, size_t size, void **out, size_t *n);
/* A binary int8 or timestamptz field, @null for SQL NULL (or a bad length). */
int64_t db_field_i64(struct db_field f, int64_t null);

/* The group-commit writer's jobs (writer.c; db_writer.h), made by the
 * modules that own their statements (opens.c, public.c, ingest.c). */
#define DB_JOB_PARAMS 6

/* A statement jobs run, declared static next to its submit function. A
 * batched one runs the jobs of a batch together, in ONE call whose $k is
 * the array of the jobs' k-th parameters (text, in queue order), and it
 * returns a row (1-based position of the job, its result) per job. */
struct db_job_stmt {
	struct db_stmt st;
	bool batched;
};

struct db_job;

/* A job running @stmt with up to DB_JOB_PARAMS parameters, copied now
 * (@lengths NULL: text; else per-parameter byte lengths, binary where
 * non-zero; a batched statement takes text only). @done(@cls, status,
 * result or NULL) is called exactly once, after the batch holding it
 * committed (DB_OK) or failed, and takes the result (malloc'd): the first
 * column of the first row, or for a batched statement the job's own
 * result. Returns NULL when out of memory or given a binary parameter for
 * a batched statement (nothing is called then). */
struct db_job *db_job_new(struct db_job_stmt *stmt, int n, const char *const *params,
			  const int *lengths,
			  void (*done)(void *cls, enum db_status s, char *result), void *cls);

/* Queues @job for the next batch. Until db_writer_start, and after
 * db_writer_stop, the job fails at once with DB_UNAVAILABLE. */
void db_job_submit(struct db_job *job);

/* The text form of a visitor's client hash for a bytea parameter ("\x" and
 * 64 hex digits) into @out, or NULL (SQL NULL) when it has none. */
#define DB_HASH_TEXT 67
struct visitor;
const char *db_hash_text(const struct visitor *v, char out[DB_HASH_TEXT]);

/* What a share, a public page or a lead's form sends its visitor to
 * (db_target in db_assets.h), read from the JSON that open_links(),
 * public_hit() and record_lead() answer with (asset_target_json(): {url}
 * or {blob, size, version, sha256, mime, filename}); false when @json is
 * not such an object (targets.c). */
struct db_target;
bool db_target_read(const char *json, struct db_target *t);

/* A version's content from the six columns of @res's row 0 from @col on:
 * blob id, size, version number, SHA-256 (hex), MIME type, file name
 * (targets.c). */
struct asset_content;
void db_content_row(const PGresult *res, int col, struct asset_content *out);

#endif
