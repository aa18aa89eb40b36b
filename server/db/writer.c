/* The group-commit writer. Jobs queue under a mutex; the thread takes all
 * of them, runs them in one transaction on its own connection, commits,
 * then calls each job's done. A job whose statement fails is taken out
 * and the batch runs again without it, so one bad job never costs the
 * others their commit; a failed COMMIT fails the whole batch (nothing was
 * acknowledged, so nothing acknowledged is lost), and so does a full disk
 * (no job is at fault: the next would fail the same). */
#include "db_writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db_internal.h"
#include "log.h"

struct db_job {
	struct db_job_stmt *stmt;
	int n;
	char *params[DB_JOB_PARAMS];
	int lengths[DB_JOB_PARAMS], formats[DB_JOB_PARAMS];
	void (*done)(void *cls, enum db_status s, char *result);
	void *cls;
	enum db_status status;
	char *result;
	struct timespec queued; /* CLOCK_MONOTONIC */
	bool alone;		/* runs in a statement of its own: its batch's failed */
	struct db_job *next;	/* in the queue */
	struct db_job *peer;	/* the next job of its statement, during an attempt */
};

/* Jobs in one batched statement at most. */
#define BATCH_MAX 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct db_job *head, **tail = &head;
/* Two writers. Under load they take turns, the queue growing into the
 * next batch while one runs (see take_now); a long batch (ingested
 * events) holds up the others for HOLD_NS at most. */
#define WRITERS 2

static int running; /* writer threads alive */
static int busy;    /* writers running a batch */
static bool stopping;
static pthread_t threads[WRITERS];
static atomic_ulong batches, jobs_done;

struct db_job *db_job_new(struct db_job_stmt *stmt, int n, const char *const *params,
			  const int *lengths,
			  void (*done)(void *cls, enum db_status s, char *result), void *cls)
{
	struct db_job *j = calloc(1, sizeof *j);
	if (j == NULL || n > DB_JOB_PARAMS || stmt == NULL) {
		free(j);
		return NULL;
	}
	j->stmt = stmt;
	j->n = n;
	j->done = done;
	j->cls = cls;
	for (int i = 0; i < n; i++) {
		if (params[i] == NULL)
			continue;
		size_t len = lengths && lengths[i] ? (size_t)lengths[i] : strlen(params[i]);
		j->lengths[i] = (int)len;
		j->formats[i] = lengths && lengths[i] ? 1 : 0;
		if ((j->formats[i] && stmt->batched) || (j->params[i] = malloc(len + 1)) == NULL) {
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
	j->done(j->cls, j->status, j->result); /* takes the result */
	for (int i = 0; i < j->n; i++)
		free(j->params[i]);
	free(j);
}

void db_job_submit(struct db_job *j)
{
	clock_gettime(CLOCK_MONOTONIC, &j->queued);
	pthread_mutex_lock(&lock);
	bool open = running > 0 && !stopping;
	if (open) {
		j->next = NULL;
		*tail = j;
		tail = &j->next;
		/* Only the first job can end a writer's wait: with jobs queued,
		 * a writer waits for the busy one to finish (which broadcasts)
		 * or for its hold to pass. Waking it for every job cost a
		 * context switch per open. */
		if (head == j)
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

/* One statement of an attempt: a job, or up to BATCH_MAX jobs of a
 * batched statement. */
struct call {
	struct db_job *first, **last; /* its jobs, linked by peer, in queue order */
	int count;
	char *arrays[DB_JOB_PARAMS]; /* a batched statement's parameters */
};

#define BATCHED_MAX 8 /* batched statements of one attempt with a shared call */
struct shared_call {
	const struct db_job_stmt *stmt;
	int call; /* the call its next jobs join */
};

/* The calls that run the jobs of @list not yet failed, in queue order of
 * their first job: jobs of a batched statement share a call (BATCH_MAX at
 * most) unless they must run alone. Returns the number of calls, or -1
 * when out of memory; *@out is freed with free_calls. */
static int plan_calls(struct db_job *list, struct call **out)
{
	int n = 0, nopen = 0;
	struct shared_call open[BATCHED_MAX];
	for (struct db_job *j = list; j; j = j->next)
		n++;
	struct call *calls = calloc((size_t)n + 1, sizeof *calls);
	if ((*out = calls) == NULL)
		return -1;
	n = 0;
	for (struct db_job *j = list; j; j = j->next) {
		if (j->status != DB_OK)
			continue;
		int o = -1, c = -1;
		if (j->stmt->batched && !j->alone) {
			for (o = 0; o < nopen && open[o].stmt != j->stmt; o++)
				;
			if (o < nopen)
				c = open[o].call;
			else if (nopen < BATCHED_MAX)
				open[nopen++] = (struct shared_call){j->stmt, -1};
			else
				o = -1; /* runs in a call of its own */
		}
		if (c < 0 || calls[c].count == BATCH_MAX) {
			c = n++;
			calls[c].last = &calls[c].first;
			if (o >= 0)
				open[o].call = c;
		}
		j->peer = NULL;
		*calls[c].last = j;
		calls[c].last = &j->peer;
		calls[c].count++;
	}
	return n;
}

static void free_calls(struct call *calls, int n)
{
	for (int c = 0; c < n; c++)
		for (int k = 0; k < DB_JOB_PARAMS; k++)
			free(calls[c].arrays[k]);
	free(calls);
}

/* Parameter @k of @c's jobs as the text of a PostgreSQL array, in job
 * order: elements quoted with " and \ escaped, NULL for a NULL. */
static char *array_of(const struct call *c, int k)
{
	size_t len = 3;
	for (const struct db_job *j = c->first; j; j = j->peer)
		len += j->params[k] ? 2 * (size_t)j->lengths[k] + 3 : 5;
	char *s = malloc(len), *p = s;
	if (s == NULL)
		return NULL;
	*p++ = '{';
	for (const struct db_job *j = c->first; j; j = j->peer) {
		if (j != c->first)
			*p++ = ',';
		if (j->params[k] == NULL) {
			memcpy(p, "NULL", 4);
			p += 4;
			continue;
		}
		*p++ = '"';
		for (const char *q = j->params[k]; *q; q++) {
			if (*q == '"' || *q == '\\')
				*p++ = '\\';
			*p++ = *q;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

/* Queues @c's statement on the pipeline; false when out of memory. */
static bool send_call(PGconn *pg, struct call *c)
{
	struct db_job *j = c->first;
	const char *p[DB_JOB_PARAMS];
	const int *lengths = j->lengths, *formats = j->formats;
	if (j->stmt->batched) {
		for (int k = 0; k < j->n; k++)
			if ((p[k] = c->arrays[k] = array_of(c, k)) == NULL)
				return false;
		lengths = formats = NULL; /* all text */
	} else {
		for (int k = 0; k < j->n; k++)
			p[k] = j->params[k];
	}
	char name[16];
	db_stmt_name(&j->stmt->st, name);
	PQsendQueryPrepared(pg, name, j->n, p, lengths, formats, 0);
	return true;
}

/* Hands each job of @c its result from @res: the first value for a job
 * of its own; for a batched statement, the second value of the row (in
 * any order) whose first one is the job's 1-based position (a job
 * without one keeps NULL). */
static void take_results(struct call *c, const PGresult *res)
{
	struct db_job *j = c->first;
	if (!j->stmt->batched) {
		free(j->result);
		j->result = PQntuples(res) > 0 ? db_dup(res, 0, 0) : NULL;
		return;
	}
	struct db_job **at = malloc((size_t)c->count * sizeof *at);
	if (at == NULL)
		return;
	for (int k = 0; j; j = j->peer)
		at[k++] = j;
	for (int row = 0; row < PQntuples(res); row++) {
		long pos = strtol(PQgetvalue(res, row, 0), NULL, 10);
		if (pos < 1 || pos > c->count)
			continue;
		free(at[pos - 1]->result);
		at[pos - 1]->result = db_dup(res, row, 1);
	}
	free(at);
}

/* Reads the results of @n calls (after BEGIN), up to the sync: the first
 * failing call in *@failed with its result in *@failure, the COMMIT's
 * result returned (NULL when the connection broke: *@broken). */
static PGresult *read_calls(PGconn *pg, struct call *calls, int n, int *failed, PGresult **failure,
			    bool *broken)
{
	PGresult *res = next_result(pg); /* BEGIN */
	*broken = res == NULL;
	PQclear(res);
	for (int c = 0; c < n && !*broken; c++) {
		res = next_result(pg);
		*broken = res == NULL;
		if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK) {
			take_results(&calls[c], res);
		} else if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR && *failed < 0) {
			*failed = c;
			*failure = res; /* judged once out of pipeline mode */
			continue;
		}
		PQclear(res);
	}
	PGresult *done = *broken ? NULL : next_result(pg);		/* COMMIT */
	for (PGresult *r; !*broken && (r = PQgetResult(pg)) != NULL;) { /* up to the sync */
		bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		PQclear(r);
		if (sync)
			break;
	}
	return done;
}

/* A call failed with @s: a job of its own is taken out (unless the
 * connection is gone, which fails the batch); the jobs of a batched
 * statement will each run alone, to find the one at fault. */
static void blame(struct call *c, enum db_status s)
{
	if (c->count == 1) {
		c->first->status = s == DB_UNAVAILABLE ? DB_OK : s;
		return;
	}
	for (struct db_job *j = c->first; j; j = j->peer)
		j->alone = true;
}

/* Runs the jobs of @list not yet failed in one transaction, pipelined:
 * BEGIN, every call's statement, COMMIT and a sync go out in one write
 * and the results are read back in order, so a batch costs one round
 * trip, not one per job. A failing call is blamed and false returned (the
 * caller runs the batch again); *@commit is the COMMIT's outcome
 * otherwise, or DB_FULL when a call failed for want of disk. */
static bool attempt(struct db *db, struct db_job *list, enum db_status *commit)
{
	PGconn *pg = db->pg;
	*commit = DB_OK;
	for (struct db_job *j = list; j; j = j->next) /* prepared once per connection */
		if (!db_prepare(db, &j->stmt->st, j->n, commit))
			return true;
	struct call *calls;
	int n = plan_calls(list, &calls);
	bool sent = n >= 0 && PQenterPipelineMode(pg);
	if (sent) {
		PQsendQueryParams(pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0);
		for (int c = 0; c < n && sent; c++)
			sent = send_call(pg, &calls[c]);
		sent = sent && PQsendQueryParams(pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) &&
		       PQpipelineSync(pg);
		if (!sent) {
			PQexitPipelineMode(pg); /* fails, so the connection is dropped below */
			db_close(db);
		}
	}
	if (!sent) {
		free_calls(calls, n);
		*commit = DB_UNAVAILABLE;
		return true;
	}
	int failed = -1;
	bool broken;
	PGresult *failure = NULL, *done = read_calls(pg, calls, n, &failed, &failure, &broken);
	PQexitPipelineMode(pg);
	if (failed >= 0) {
		enum db_status s = db_error_of(db, failure); /* may drop the connection */
		if (s != DB_FULL)
			blame(&calls[failed], s);
		*commit = s == DB_UNAVAILABLE || s == DB_FULL ? s : DB_OK;
	} else if (done == NULL || PQresultStatus(done) != PGRES_COMMAND_OK) {
		*commit = done == NULL ? DB_UNAVAILABLE : db_error_of(db, done);
	}
	free_calls(calls, n);
	PQclear(failure);
	PQclear(done);
	if (db->pg == NULL || broken || PQstatus(db->pg) != CONNECTION_OK) {
		*commit = DB_UNAVAILABLE;
		return true;
	}
	if (failed >= 0) {
		db_rollback(db); /* the block is aborted, not ended, by the error */
		return *commit == DB_FULL;
	}
	return true;
}

/* Runs @list to its commit or failure, then calls every job's done. */
static void run_batch(struct db *db, struct db_job *list)
{
	enum db_status commit = DB_UNAVAILABLE;
	if (!db_ensure(db))
		commit = db_down(db);
	else
		while (!attempt(db, list, &commit))
			;
	pthread_mutex_lock(&lock);
	busy--; /* the other writer may start while the requests resume */
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (struct db_job *j = list, *next; j; j = next) {
		next = j->next;
		if (j->status == DB_OK && commit != DB_OK)
			j->status = commit;
		finish(j);
	}
	atomic_fetch_add(&batches, 1);
}

/* Whether a writer takes the queue now (the lock held); if it should
 * wait for a while, until when in *@until. Under load, what arrives
 * while the other writer runs its batch waits for it to end and makes
 * one batch: the CPU an open costs falls as batches grow, and two small
 * batches at once would only compete for it. When the other writer is
 * idle a job starts at once, and none waits longer than HOLD_NS for it
 * (a long batch of ingested events, say). Waiting longer, for the
 * requests just resumed to come back and join (one batch of ~30 opens
 * instead of two of ~14 in turn), measured slower: the database then
 * idles while they are answered. */
#define HOLD_NS 2000000L
static bool take_now(struct timespec *until)
{
	if (stopping)
		return true;
	if (head == NULL)
		return false;
	if (busy == 0)
		return true;
	*until = head->queued;
	until->tv_nsec += HOLD_NS;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > until->tv_sec ||
	       (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec);
}

static void *run(void *unused)
{
	(void)unused;
	struct db db = {.url = db_primary_url()};
	pthread_mutex_lock(&lock);
	for (;;) {
		struct timespec until;
		while (!take_now(&until)) {
			if (head == NULL)
				pthread_cond_wait(&wake, &lock);
			else
				pthread_cond_timedwait(&wake, &lock, &until);
		}
		struct db_job *list = head;
		head = NULL;
		tail = &head;
		bool last = stopping;
		if (list != NULL)
			busy++;
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
	if (running == 0) { /* timed waits count in CLOCK_MONOTONIC, as job times */
		pthread_condattr_t attr;
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_destroy(&wake);
		pthread_cond_init(&wake, &attr);
		pthread_condattr_destroy(&attr);
	}
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
