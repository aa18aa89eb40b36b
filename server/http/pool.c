/* The database pool: handlers that may wait on the database run on
 * NEXTSTAGE_DB_POOL threads of their own, each with its own connection
 * (server/db/conn.c), not on the HTTP thread that read the request. The
 * HTTP thread suspends the connection and queues the request; a pool
 * thread runs the handler, which builds the reply, and resumes the
 * connection; the HTTP thread then sends the reply. So the number of
 * queries in flight is the pool's, whichever HTTP thread accepted which
 * connection, and no HTTP thread waits on PostgreSQL while its other
 * connections wait on it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "http_internal.h"
#include "log.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static struct req_private *head, *tail; /* FIFO through p->queued_next */
static unsigned idle, queued;
static bool stopping;
static pthread_t *threads;
static unsigned nthreads;
static atomic_ulong waits, wait_us;
/* On a pool thread: the request it runs, and whether its handler
 * deferred it (then another thread resumes it and this one lets go). */
static _Thread_local struct req_private *running;
static _Thread_local bool deferred;

static unsigned long micros_between(const struct timespec *a, const struct timespec *b)
{
	return (unsigned long)((b->tv_sec - a->tv_sec) * 1000000L +
			       (b->tv_nsec - a->tv_nsec) / 1000L);
}

static void *pool_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (head == NULL && !stopping) {
			idle++;
			pthread_cond_wait(&work, &lock);
			idle--;
		}
		if (head == NULL)
			break;
		struct req_private *p = head;
		head = p->queued_next;
		if (head == NULL)
			tail = NULL;
		queued--;
		pthread_mutex_unlock(&lock);

		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		atomic_fetch_add(&wait_us, micros_between(&p->queued_at, &now));
		running = p;
		deferred = false;
		http_run_handler(p);
		running = NULL;
		if (!deferred)
			MHD_resume_connection(p->conn); /* the reply is ready */

		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

bool pool_start(unsigned n)
{
	threads = calloc(n, sizeof *threads);
	if (threads == NULL)
		return false;
	stopping = false;
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, pool_main, NULL) != 0) {
			log_msg("error", "cannot start database pool thread %u", nthreads + 1);
			pool_stop();
			return false;
		}
	return true;
}

bool pool_submit(struct req_private *p)
{
	clock_gettime(CLOCK_MONOTONIC, &p->queued_at);
	p->queued_next = NULL;
	pthread_mutex_lock(&lock);
	if (stopping || nthreads == 0) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	MHD_suspend_connection(p->conn);
	if (idle == 0)
		atomic_fetch_add(&waits, 1);
	if (tail != NULL)
		tail->queued_next = p;
	else
		head = p;
	tail = p;
	queued++;
	pthread_cond_signal(&work);
	pthread_mutex_unlock(&lock);
	return true;
}

bool pool_defers(struct req_private *p)
{
	if (running != p)
		return false;
	deferred = true;
	return true;
}

void pool_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&work);
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	nthreads = 0;
}

void pool_stats(struct pool_stats *s)
{
	pthread_mutex_lock(&lock);
	s->size = nthreads;
	s->busy = nthreads - idle;
	s->queued = queued;
	pthread_mutex_unlock(&lock);
	s->waits = atomic_load(&waits);
	s->wait_seconds = (double)atomic_load(&wait_us) / 1e6;
}
