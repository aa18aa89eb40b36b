/* Deal imports in the database: the jobs (import_jobs: a file kept as a
 * blob until its job has run, its progress and report), the people an
 * import matches owners against, and the staging of one import: a
 * transaction on a connection of its own, the file's moves loaded by COPY
 * into a temporary table and merged by schema/functions/import_merge.sql. */
#ifndef NS_DB_IMPORTS_H
#define NS_DB_IMPORTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "db_blobs.h"
#include "model.h"

/* ---- jobs ---- */

/* A job as it is created: the uploaded file's transaction @upload (see
 * db_upload_commit; consumed), by @actor_id, with @params (JSON) and the
 * file's @rows. With @running the caller runs it itself at once; else a
 * worker will. Its id into @id. */
enum db_status db_import_job_create(struct db_upload *upload, const char *actor_id,
				    const char *params, long rows, bool running,
				    char id[UUID_LEN + 1]);

/* A job to run, as db_import_job_next hands it over. */
struct db_import_job {
	char id[UUID_LEN + 1], actor[UUID_LEN + 1];
	char runner[UUID_LEN + 1]; /* this run of it */
	int64_t blob;
	char *params; /* JSON, malloc'd */
	long rows;
};

/* Claims the oldest queued job (marks it running): DB_OK with @job
 * filled, DB_NOT_FOUND when none is queued. */
enum db_status db_import_job_next(struct db_import_job *job);
/* The job @id (created running by its request) as db_import_job_next
 * would give it. */
enum db_status db_import_job_load(const char *id, struct db_import_job *job);
void db_import_job_free(struct db_import_job *job);

/* Puts back in the queue the jobs whose runs are gone: left running by a
 * server that stopped or died (their transactions rolled back with it),
 * whichever server that was. Jobs being run are left alone. */
enum db_status db_import_jobs_requeue(void);

/* Marks @job failed with the sentence @error (nothing was imported),
 * unless another run has taken it up meanwhile. */
enum db_status db_import_job_fail(const struct db_import_job *job, const char *error);

/* The job @id as JSON (see README) into *@json (malloc'd), or
 * DB_NOT_FOUND. */
enum db_status db_import_job_json(const char *id, char **json);

/* ---- people ---- */

/* An active user, as owners are matched: by e-mail or full name; or an
 * owner alias (db_owners.h) of one, whose e-mail and name are both the
 * alias. Aliases come first. */
struct db_person {
	char id[UUID_LEN + 1];
	char *email, *name;
};
enum db_status db_import_people(struct db_person **out, size_t *n);
void db_import_people_free(struct db_person *p, size_t n);

/* ---- staging ---- */

/* One move of a record, as import_merge() reads it ("" or NULL: not
 * given; times as the import's reader writes them). */
struct db_import_move {
	long line;
	const char *key, *ext, *name, *account, *owner, *amount, *created;
	const char *stage, *column, *at, *close, *modified;
	bool main, explicit;
};

struct db_import;

/* Opens a connection, begins a transaction audited as the job's actor,
 * takes hold of @job (its row, locked until the transaction ends), creates
 * the staging table and starts the COPY into it. DB_NOT_FOUND when the
 * job is no longer this run's (another took it up: leave it alone). */
enum db_status db_import_open(const struct db_import_job *job, struct db_import **out);
/* Stages one move. */
enum db_status db_import_put(struct db_import *im, const struct db_import_move *m);
/* Ends the COPY and merges it all (import_merge with times in @tz and at
 * most @errors_max errors listed): the report (JSON) into *@report. */
enum db_status db_import_merge(struct db_import *im, const char *tz, int errors_max, char **report);
/* Finishes job @job_id with @report (JSON): in the import's transaction,
 * which commits, or, when !@commit (a dry run), after rolling it back.
 * Closes @im whatever the outcome. */
enum db_status db_import_finish(struct db_import *im, const char *job_id, const char *report,
				bool commit);
/* Rolls back and closes. NULL is fine. */
void db_import_abort(struct db_import *im);

/* Whether @tz names a time zone PostgreSQL knows. */
enum db_status db_import_zone_known(const char *tz, bool *known);

#endif
