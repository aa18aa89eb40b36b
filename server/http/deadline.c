/* Deadlines of client connections that libmicrohttpd's inactivity timeout
 * cannot give (it restarts with every byte, so a client trickling a byte
 * every few seconds holds its connection for ever):
 *   - a request's line and header block must be complete within
 *     header_timeout_s of the connection's start (its first request) or of
 *     its request line (a later request on a kept-alive connection);
 *   - a kept-alive connection between requests is closed after
 *     IDLE_TIMEOUT_S;
 *   - while more than 80% of the connection limit is open, both allowances
 *     shrink: SHED_IDLE_MS between requests, a fifth of header_timeout_s
 *     (at least SHED_HEADER_MIN_MS) for headers. A browser sends its
 *     header block in one packet, so what holds a nearly full server is
 *     idle connections and slow clients: they go, and the new clients
 *     waiting in the listen queue get their places.
 * A request whose header block is complete is never cut here: its body has
 * its own deadline (server.c), and it may be suspended (the database pool)
 * or sending its answer until its completion callback.
 *
 * Each connection has an entry (its socket context) whose state is one
 * atomic word, the phase and the millisecond it began, changed by the
 * connection's own thread in the callbacks and by the reaper thread only
 * from HEAD or IDLE to CUT, by compare-and-swap: whichever comes first
 * wins, so the reaper never cuts a request the access handler has seen.
 * The reaper cuts with shutdown(2); libmicrohttpd then reads the end of
 * the stream and closes the connection on its own thread. Entries are
 * listed under a mutex held while the reaper shuts a socket down, and an
 * entry leaves the list (connection notification CLOSED) before
 * libmicrohttpd closes its descriptor, so the reaper never touches a
 * descriptor number that was closed and reused. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include "http_internal.h"
#include "log.h"

#define IDLE_TIMEOUT_S	   30	/* = MHD_OPTION_CONNECTION_TIMEOUT */
#define SHED_IDLE_MS	   1000 /* idle allowance past 80% of the limit */
#define SHED_HEADER_MIN_MS 1000
#define REAP_EVERY_MS	   250
#define LOG_EVERY_MS	   10000

enum phase {
	BUSY, /* the access handler has the request, until its completion */
	HEAD, /* the request line or headers are being read */
	IDLE, /* kept alive between requests */
	CUT   /* shut down by the reaper */
};

struct deadline_conn {
	struct deadline_conn *prev, *next;
	int fd;
	_Atomic uint64_t state; /* (ms << 2) | phase */
};

static struct {
	pthread_mutex_t lock; /* the list and its count */
	pthread_cond_t wake;  /* stop */
	struct deadline_conn *head;
	unsigned open, limit;
	uint64_t header_ms, shed_header_ms;
	bool stop, running;
	pthread_t thread;
	atomic_ulong cut_headers, cut_idle;
} dl = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static uint64_t state_of(enum phase ph, uint64_t ms)
{
	return ms << 2 | ph;
}

void deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		     enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	struct deadline_conn *c = *socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = ci != NULL ? calloc(1, sizeof *c) : NULL;
		if (c == NULL)
			return; /* untracked: only libmicrohttpd's timeout */
		c->fd = ci->connect_fd;
		atomic_init(&c->state, state_of(HEAD, now_ms()));
		pthread_mutex_lock(&dl.lock);
		c->next = dl.head;
		if (dl.head != NULL)
			dl.head->prev = c;
		dl.head = c;
		dl.open++;
		pthread_mutex_unlock(&dl.lock);
		*socket_context = c;
		return;
	}
	if (c == NULL)
		return;
	pthread_mutex_lock(&dl.lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		dl.head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	dl.open--;
	pthread_mutex_unlock(&dl.lock);
	*socket_context = NULL;
	free(c);
}

struct deadline_conn *deadline_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

void deadline_request_line(struct deadline_conn *c)
{
	if (c == NULL)
		return;
	/* A first request keeps the connection's start; a later one starts
	 * its own clock. */
	uint64_t s = atomic_load(&c->state);
	if ((s & 3) == IDLE)
		atomic_compare_exchange_strong(&c->state, &s, state_of(HEAD, now_ms()));
}

bool deadline_headers_done(struct deadline_conn *c)
{
	return c == NULL || (atomic_exchange(&c->state, state_of(BUSY, 0)) & 3) != CUT;
}

void deadline_request_done(struct deadline_conn *c)
{
	if (c == NULL)
		return;
	uint64_t s = atomic_load(&c->state);
	while ((s & 3) != CUT &&
	       !atomic_compare_exchange_weak(&c->state, &s, state_of(IDLE, now_ms())))
		;
}

/* One pass over the connections; counts what it cut in @headers and
 * @idle. */
static void reap(uint64_t now, unsigned long *headers, unsigned long *idle)
{
	pthread_mutex_lock(&dl.lock);
	bool full = (uint64_t)dl.open * 5 > (uint64_t)dl.limit * 4; /* past 80% */
	uint64_t idle_ms = full ? SHED_IDLE_MS : IDLE_TIMEOUT_S * 1000;
	uint64_t header_ms = full ? dl.shed_header_ms : dl.header_ms;
	for (struct deadline_conn *c = dl.head; c != NULL; c = c->next) {
		uint64_t s = atomic_load(&c->state);
		enum phase ph = (enum phase)(s & 3);
		uint64_t since = s >> 2;
		if ((ph != HEAD && ph != IDLE) || now < since ||
		    now - since < (ph == HEAD ? header_ms : idle_ms))
			continue;
		if (!atomic_compare_exchange_strong(&c->state, &s, state_of(CUT, now)))
			continue; /* it moved on meanwhile */
		/* counted before the cut: a client that sees its connection end
		 * and reads /metrics at once finds it there */
		atomic_fetch_add(ph == HEAD ? &dl.cut_headers : &dl.cut_idle, 1);
		shutdown(c->fd, SHUT_RDWR);
		++*(ph == HEAD ? headers : idle);
	}
	pthread_mutex_unlock(&dl.lock);
}

static void log_cuts(unsigned long headers, unsigned long idle)
{
	log_msg("warn",
		"closed %lu connections whose request headers were not complete in time (%lu s, "
		"less when nearly full) and %lu idle ones",
		headers, (unsigned long)(dl.header_ms / 1000), idle);
}

static void *reaper(void *arg)
{
	(void)arg;
	unsigned long headers = 0, idle = 0;
	uint64_t logged = 0;
	pthread_mutex_lock(&dl.lock);
	while (!dl.stop) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += REAP_EVERY_MS * 1000000L;
		t.tv_sec += t.tv_nsec / 1000000000L;
		t.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&dl.wake, &dl.lock, &t);
		if (dl.stop)
			break;
		pthread_mutex_unlock(&dl.lock);
		unsigned long h = 0, i = 0;
		uint64_t now = now_ms();
		reap(now, &h, &i);
		headers += h;
		idle += i;
		/* One line per LOG_EVERY_MS at most: a flood of slow clients
		 * must not flood the log too. */
		if ((headers || idle) && (logged == 0 || now - logged >= LOG_EVERY_MS)) {
			log_cuts(headers, idle);
			headers = idle = 0;
			logged = now;
		}
		pthread_mutex_lock(&dl.lock);
	}
	pthread_mutex_unlock(&dl.lock);
	if (headers || idle)
		log_cuts(headers, idle);
	return NULL;
}

bool deadline_start(unsigned limit, unsigned header_timeout_s)
{
	dl.limit = limit;
	dl.header_ms = header_timeout_s * 1000ULL;
	dl.shed_header_ms =
	    dl.header_ms / 5 > SHED_HEADER_MIN_MS ? dl.header_ms / 5 : SHED_HEADER_MIN_MS;
	if (dl.shed_header_ms > dl.header_ms)
		dl.shed_header_ms = dl.header_ms;
	dl.stop = false;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&dl.wake);
	pthread_cond_init(&dl.wake, &ca);
	pthread_condattr_destroy(&ca);
	dl.running = pthread_create(&dl.thread, NULL, reaper, NULL) == 0;
	if (!dl.running)
		log_msg("error", "cannot start the thread that closes slow connections");
	return dl.running;
}

void deadline_stop(void)
{
	if (!dl.running)
		return;
	pthread_mutex_lock(&dl.lock);
	dl.stop = true;
	pthread_cond_signal(&dl.wake);
	pthread_mutex_unlock(&dl.lock);
	pthread_join(dl.thread, NULL);
	dl.running = false;
}

void deadline_stats(struct deadline_stats *s)
{
	pthread_mutex_lock(&dl.lock);
	s->open = dl.open;
	pthread_mutex_unlock(&dl.lock);
	s->limit = dl.limit;
	s->cut_headers = atomic_load(&dl.cut_headers);
	s->cut_idle = atomic_load(&dl.cut_idle);
}
