/* The group-commit writer. Jobs queue under a mutex; the thread takes all
 * of them, runs them in one transaction on its own connection, commits,
 * then calls each job's done. A job whose statement fails is taken out
 * and the batch runs again without it, so one bad job never costs the
 * others their commit; a failed COMMIT fails the whole batch (nothing was
 * acknowledged, so nothing acknowledged is lost). */
#include "db_writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "log.h"

struct db_job {
	int stmt, n;
	char *params[DB_JOB_PARAMS];
	int lengths[DB_JOB_PARAMS], formats[DB_JOB_PARAMS];
	void (*done)(void *cls, enum db_status s, const char *result);
	void *cls;
	enum db_status status;
	char *result;
	struct db_job *next;
};

static struct db_stmt stmts[DB_JOB__COUNT] = {
    [DB_JOB_OPEN] = DB_STMT("SELECT open_link($1, $2, $3, $4)"),
    [DB_JOB_INGEST] = DB_STMT("SELECT ingest_events($1::jsonb, $2::uuid)::text"),
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct db_job *head, **tail = &head;
/* Two writers: while one waits for its COMMIT to reach the disk, the
 * other gathers and runs the next batch (and both use a core). */
#define WRITERS 2

static int running; /* writer threads alive */
static bool stopping;
static pthread_t threads[WRITERS];
static atomic_ulong batches, jobs_done;

struct db_job *db_job_new(int stmt_index, int n, const char *const *params, const int *lengths,
			  void (*done)(void *cls, enum db_status s, const char *result), void *cls)
{
	struct db_job *j = calloc(1, sizeof *j);
	if (j == NULL || n > DB_JOB_PARAMS) {
		free(j);
		return NULL;
	}
	j->stmt = stmt_index;
	j->n = n;
	j->done = done;
	j->cls = cls;
	for (int i = 0; i < n; i++) {
		if (params[i] == NULL)
			continue;
		size_t len = lengths && lengths[i] ? (size_t)lengths[i] : strlen(params[i]);
		j->lengths[i] = (int)len;
		j->formats[i] = lengths && lengths[i] ? 1 : 0;
		if ((j->params[i] = malloc(len + 1)) == NULL) {
			for (int k = 0; k < i; k++)
				free(j->params[k]);
			free(j);
			return NULL;
		}
		memcpy(j->params[i], params[i], len);
		j->params[i][len] = '\0';
	}
	return j;
}

static void finish(struct db_job *j)
{
	j->done(j->cls, j->status, j->result);
	for (int i = 0; i < j->n; i++)
		free(j->params[i]);
	free(j->result);
	free(j);
}

void db_job_submit(struct db_job *j)
{
	pthread_mutex_lock(&lock);
	bool open = running > 0 && !stopping;
	if (open) {
		j->next = NULL;
		*tail = j;
		tail = &j->next;
		pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&lock);
	if (!open) {
		j->status = DB_UNAVAILABLE;
		finish(j);
	}
}

/* The next result of a pipeline, with the NULL that ends it consumed. */
static PGresult *next_result(PGconn *pg)
{
	PGresult *res = PQgetResult(pg);
	if (res != NULL && PQresultStatus(res) != PGRES_PIPELINE_SYNC)
		PQclear(PQgetResult(pg)); /* the NULL after each query's result */
	return res;
}

/* Runs the jobs of @list not yet failed in one transaction, pipelined:
 * BEGIN, every job's statement, COMMIT and a sync go out in one write and
 * the results are read back in order, so a batch costs one round trip,
 * not one per job. A failing job is marked and false returned (the
 * caller runs the batch again without it); *@commit is the COMMIT's
 * outcome otherwise. */
static bool attempt(struct db *db, struct db_job *list, enum db_status *commit)
{
	PGconn *pg = db->pg;
	*commit = DB_OK;
	for (struct db_job *j = list; j; j = j->next) /* prepared once per connection */
		if (!db_prepare(db, &stmts[j->stmt], j->n, commit))
			return true;
	if (!PQenterPipelineMode(pg)) {
		*commit = DB_UNAVAILABLE;
		return true;
	}
	PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
	for (struct db_job *j = list; j; j = j->next) {
		if (j->status != DB_OK)
			continue;
		const char *p[DB_JOB_PARAMS];
		for (int i = 0; i < j->n; i++)
			p[i] = j->params[i];
		char name[16];
		db_stmt_name(&stmts[j->stmt], name);
		PQsendQueryPrepared(pg, name, j->n, p, j->lengths, j->formats, 0);
	}
	PQsendQueryParams(pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0);
	if (!PQpipelineSync(pg)) {
		PQexitPipelineMode(pg);
		*commit = DB_UNAVAILABLE;
		return true;
	}
	struct db_job *failed = NULL;
	PGresult *failure = NULL, *res = next_result(pg); /* BEGIN */
	bool broken = res == NULL;
	PQclear(res);
	for (struct db_job *j = list; j && !broken; j = j->next) {
		if (j->status != DB_OK)
			continue;
		res = next_result(pg);
		broken = res == NULL;
		if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK) {
			free(j->result);
			j->result = db_dup(res, 0, 0);
		} else if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR && !failed) {
			failed = j;
			failure = res; /* judged once out of pipeline mode */
			continue;
		}
		PQclear(res);
	}
	PGresult *done = broken ? NULL : next_result(pg);	       /* COMMIT */
	for (PGresult *r; !broken && (r = PQgetResult(pg)) != NULL;) { /* up to the sync */
		bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	PQexitPipelineMode(pg);
	if (failed != NULL) {
		enum db_status s = db_error_of(db, failure); /* may drop the connection */
		failed->status = s == DB_UNAVAILABLE ? DB_OK : s;
		*commit = s == DB_UNAVAILABLE ? s : DB_OK;
	} else if (done == NULL || PQresultStatus(done) != PGRES_COMMAND_OK) {
		*commit = done == NULL ? DB_UNAVAILABLE : db_error_of(db, done);
	}
	PQclear(failure);
	PQclear(done);
	if (db->pg == NULL || broken || PQstatus(db->pg) != CONNECTION_OK) {
		*commit = DB_UNAVAILABLE;
		return true;
	}
	if (failed != NULL) {
		db_rollback(db); /* the block is aborted, not ended, by the error */
		return false;
	}
	return true;
}

static void run_batch(struct db *db, struct db_job *list)
{
	enum db_status commit = DB_UNAVAILABLE;
	if (db_ensure(db))
		while (!attempt(db, list, &commit))
			;
	for (struct db_job *j = list, *next; j; j = next) {
		next = j->next;
		if (j->status == DB_OK && commit != DB_OK)
			j->status = commit;
		finish(j);
	}
	atomic_fetch_add(&batches, 1);
}

static void *run(void *unused)
{
	(void)unused;
	struct db db = {.url = db_primary_url()};
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!stopping && head == NULL)
			pthread_cond_wait(&wake, &lock);
		struct db_job *list = head;
		head = NULL;
		tail = &head;
		bool last = stopping;
		pthread_mutex_unlock(&lock);
		unsigned long n = 0;
		for (struct db_job *j = list; j; j = j->next)
			n++;
		if (list != NULL)
			run_batch(&db, list);
		atomic_fetch_add(&jobs_done, n);
		pthread_mutex_lock(&lock);
		if (last && head == NULL)
			break;
	}
	running--;
	pthread_cond_broadcast(&wake); /* the other writer may be waiting to stop */
	pthread_mutex_unlock(&lock);
	db_close(&db);
	return NULL;
}

int db_writer_start(void)
{
	pthread_mutex_lock(&lock);
	stopping = false;
	for (int i = 0; i < WRITERS; i++)
		if (pthread_create(&threads[i], NULL, run, NULL) == 0)
			running++;
	int ok = running == WRITERS;
	pthread_mutex_unlock(&lock);
	return ok ? 0 : -1;
}

void db_writer_stop(void)
{
	pthread_mutex_lock(&lock);
	int n = running;
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
}

void db_writer_stats(unsigned long *b, unsigned long *j)
{
	*b = atomic_load(&batches);
	*j = atomic_load(&jobs_done);
}
