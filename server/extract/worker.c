/* The extraction workers (extract_worker.h): each thread has its own
 * connection, takes a due job (held by its transaction), copies the blob
 * into a sealed memfd chunk by chunk, runs the extractor on it, and stores
 * the outcome or schedules a retry. */
#include "extract_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "config.h"
#include "db_blobs.h"
#include "db_extracts.h"
#include "log.h"

#define WORKERS_MAX 16

struct worker {
	pthread_t thread;
	atomic_int tid; /* the thread's id while an extractor runs, else 0 */
	unsigned seed;
};

static struct {
	unsigned workers, retry_ms, attempts, poll_ms;
	struct extract_limits limits;
} cfg;

static struct worker workers[WORKERS_MAX];
static unsigned started;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;
static unsigned wakes; /* wake-ups not yet taken by a worker */

static atomic_ulong outcomes[EXTRACT_FAILED + 1], retries, gave_up;

unsigned extract_retry_delay_ms(unsigned base_ms, int attempts, double jitter)
{
	double d = base_ms;
	for (int i = 0; i < attempts && d < 3600e3; i++)
		d *= 2;
	if (d > 3600e3)
		d = 3600e3;
	return (unsigned)(d * jitter);
}

/* NEXTSTAGE_EXTRACT_@name as a whole number in [@min, @max], else @def. */
static unsigned env_uint(const char *name, unsigned min, unsigned max, unsigned def)
{
	char var[64];
	snprintf(var, sizeof var, "NEXTSTAGE_EXTRACT_%s", name);
	const char *s = getenv(var);
	unsigned v = def;
	if (s != NULL && *s != '\0' && config_parse_uint(s, min, max, &v) != 0) {
		log_msg("warn", "%s=%s is not a whole number from %u to %u: %u it is", var, s, min,
			max, def);
		v = def;
	}
	return v;
}

/* ---- one job ---- */

static bool is_stopping(void)
{
	pthread_mutex_lock(&lock);
	bool s = stopping;
	pthread_mutex_unlock(&lock);
	return s;
}

/* The blob as a sealed memfd at offset 0, or -1 (*@why says why). */
static int blob_fd(struct db_extractor *x, const struct db_extract_job *job, const char **why)
{
	int fd = memfd_create("extract", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	char *buf = malloc(BLOB_CHUNK);
	*why = "There was no memory for the file.";
	bool ok = fd >= 0 && buf != NULL;
	for (unsigned n = 0; ok; n++) {
		size_t got = 0;
		if (db_extract_chunk(x, job, n, buf, &got) != DB_OK) {
			*why = "The file could not be read from the database.";
			ok = false;
		}
		if (!ok || got == 0)
			break;
		for (size_t off = 0; ok && off < got;) {
			ssize_t w = write(fd, buf + off, got - off);
			if (w < 0 && errno == EINTR)
				continue;
			ok = w > 0;
			off += ok ? (size_t)w : 0;
		}
		if (got < BLOB_CHUNK) /* the last one */
			break;
	}
	free(buf);
	if (ok)
		ok = fcntl(fd, F_ADD_SEALS,
			   F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0 &&
		     lseek(fd, 0, SEEK_SET) == 0;
	if (!ok && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Extracts the job's blob into @r: 0, or -1 with a transient failure's
 * reason in *@why. */
static int extract(struct worker *w, struct db_extractor *x, const struct db_extract_job *job,
		   struct extract_result *r, const char **why)
{
	if (job->size > cfg.limits.input_bytes) {
		r->status = EXTRACT_TOO_LARGE;
		snprintf(r->reason, sizeof r->reason, "The file is larger than %zu MiB.",
			 cfg.limits.input_bytes >> 20);
		return 0;
	}
	int fd = blob_fd(x, job, why);
	if (fd < 0)
		return -1;
	atomic_store(&w->tid, (int)gettid());
	int rc = is_stopping() ? -1 : extract_run(fd, job->mime, &cfg.limits, r);
	atomic_store(&w->tid, 0);
	close(fd);
	*why = "The extractor could not be started.";
	return rc;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A failure outside the file (@why): the job waits for its next attempt,
 * or after the last one its blob is failed. */
static void retry_later(struct worker *w, struct db_extractor *x, const struct db_extract_job *job,
			const char *why)
{
	bool last = job->attempts + 1 >= (int)cfg.attempts;
	double jitter = 0.5 + (double)rand_r(&w->seed) / ((double)RAND_MAX + 1);
	unsigned delay = extract_retry_delay_ms(cfg.retry_ms, job->attempts, jitter);
	db_extract_retry(x, job, why, delay, last); /* failing, it leaves the job as it was */
	atomic_fetch_add(last ? &gave_up : &retries, 1);
	log_msg(last ? "error" : "warn", "extract: blob %lld attempt %d: %s %s",
		(long long)job->blob, job->attempts + 1, why,
		last ? "Failed for good." : "Will retry.");
}

static void run_job(struct worker *w, struct db_extractor *x, const struct db_extract_job *job)
{
	struct extract_result r = {0};
	const char *why = NULL;
	double t0 = now_s();
	log_msg("info", "extract: blob %lld (%s, %llu bytes) taken, attempt %d",
		(long long)job->blob, job->mime, (unsigned long long)job->size, job->attempts + 1);
	int rc = extract(w, x, job, &r, &why);
	if (is_stopping()) { /* the child was killed: the worker's close rolls back */
		extract_result_clear(&r);
		return;
	}
	double t1 = now_s();
	enum db_status s = rc == 0 ? db_extract_store(x, job, &r) : DB_OK;
	if (rc == 0 && s == DB_OK) {
		atomic_fetch_add(&outcomes[r.status], 1);
		log_msg(
		    "info",
		    "extract: blob %lld (%s): %s, %u pages%s%s (read in %.2f s, stored in %.2f s)",
		    (long long)job->blob, job->mime, extract_status_name(r.status), r.npages,
		    r.reason[0] ? ": " : "", r.reason, t1 - t0, now_s() - t1);
	} else {
		retry_later(w, x, job,
			    rc != 0		  ? why
			    : s == DB_UNAVAILABLE ? "The database went away."
			    : s == DB_FULL	  ? "The database's disk is full."
						  : "The outcome could not be stored.");
	}
	extract_result_clear(&r);
}

/* ---- the threads ---- */

/* @ms from now on the clock of condition waits and timed joins. */
static struct timespec deadline(long ms)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* Waits up to @ms, or until woken or stopping. */
static void idle(long ms)
{
	if (ms < 0 || ms > (long)cfg.poll_ms)
		ms = cfg.poll_ms;
	struct timespec until = deadline(ms);
	pthread_mutex_lock(&lock);
	while (!stopping && wakes == 0)
		if (pthread_cond_timedwait(&wake, &lock, &until) != 0)
			break;
	if (wakes > 0)
		wakes--;
	pthread_mutex_unlock(&lock);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct db_extractor *x = NULL;
	while (!is_stopping()) {
		if (x == NULL && db_extractor_open(&x) != DB_OK) {
			idle(1000);
			continue;
		}
		struct db_extract_job job;
		enum db_status s = db_extract_take(x, &job);
		if (s == DB_OK) {
			run_job(w, x, &job);
			continue;
		}
		long ms = -1;
		if (s == DB_NOT_FOUND)
			db_extract_next_due(x, &ms);
		idle(s == DB_NOT_FOUND ? ms : 1000);
	}
	db_extractor_close(x);
	db_thread_done();
	return NULL;
}

int extract_worker_start(void)
{
	cfg.workers = env_uint("WORKERS", 0, WORKERS_MAX, 1);
	cfg.retry_ms = env_uint("RETRY_MS", 1, 3600000, 30000);
	cfg.attempts = env_uint("ATTEMPTS", 1, 100, 5);
	cfg.poll_ms = env_uint("POLL_MS", 10, 3600000, 10000);
	extract_limits_default(&cfg.limits);
	for (; started < cfg.workers; started++) {
		workers[started].seed = (unsigned)time(NULL) ^ (started * 2654435761u);
		if (pthread_create(&workers[started].thread, NULL, work, &workers[started]) != 0)
			return -1;
	}
	return 0;
}

void extract_worker_wake(void)
{
	pthread_mutex_lock(&lock);
	if (wakes < started)
		wakes++;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}

/* Kills the children of thread @tid (the extractor it runs). */
static void kill_children(int tid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/self/task/%d/children", tid);
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fscanf(f, "%255s", buf) == 1) {
		long pid = strtol(buf, NULL, 10);
		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
	}
	fclose(f);
}

void extract_worker_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	/* Again and again: a child may be forked just after a look. */
	for (unsigned i = 0; i < started; i++)
		for (;;) {
			int tid = atomic_load(&workers[i].tid);
			if (tid != 0)
				kill_children(tid);
			struct timespec until = deadline(50);
			if (pthread_timedjoin_np(workers[i].thread, NULL, &until) != ETIMEDOUT)
				break;
		}
	started = 0;
}

void extract_worker_counts(struct extract_worker_counts *out)
{
	for (int i = 0; i <= EXTRACT_FAILED; i++)
		out->outcomes[i] = atomic_load(&outcomes[i]);
	out->retries = atomic_load(&retries);
	out->gave_up = atomic_load(&gave_up);
}
