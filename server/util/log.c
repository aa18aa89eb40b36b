/* JSON-lines logging on stderr. Lines go out whole, under one lock, so
 * lines from several threads never interleave; access lines wait in a
 * buffer while the flusher thread runs (see log.h for why). */
#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define FLUSH_NS 100000000L

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake; /* CLOCK_MONOTONIC; made by log_start */
static char buf[BUF_SIZE];  /* access lines not written yet */
static size_t used;
static bool buffering, stopping;
static pthread_t flusher;

/* Writes @len bytes from @p to stderr, going on after short writes. */
static void write_all(const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* stderr is gone: nowhere to say so */
		p += (size_t)w;
		len -= (size_t)w;
	}
}

/* Writes out the buffer; the lock held. */
static void flush_locked(void)
{
	write_all(buf, used);
	used = 0;
}

/* Puts @line (@len bytes, its newline included) out after the lines
 * already buffered: into the buffer when @buffered and the flusher runs,
 * else written at once. */
static void put(const char *line, size_t len, bool buffered)
{
	pthread_mutex_lock(&lock);
	if (used + len > sizeof buf)
		flush_locked();
	if (buffered && buffering && len <= sizeof buf) {
		memcpy(buf + used, line, len);
		used += len;
	} else {
		flush_locked();
		write_all(line, len);
	}
	pthread_mutex_unlock(&lock);
}

static void now_rfc3339(char *out, size_t len)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static void emit(json_t *o, bool buffered)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (line == NULL)
		return;
	size_t len = strlen(line);
	line[len] = '\n'; /* json_dumps leaves room: we replace the NUL */
	put(line, len + 1, buffered);
	free(line);
}

void log_access(const char *method, const char *path, unsigned status, unsigned long bytes,
		unsigned long micros, const char *user)
{
	char t[40];
	now_rfc3339(t, sizeof t);
	emit(json_pack("{s:s, s:s, s:s, s:i, s:I, s:f, s:s?}", "time", t, "method", method, "path",
		       path, "status", (int)status, "bytes", (json_int_t)bytes, "duration_ms",
		       (double)micros / 1000.0, "user", user),
	     true);
}

void log_msg(const char *level, const char *fmt, ...)
{
	char t[40], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	now_rfc3339(t, sizeof t);
	emit(json_pack("{s:s, s:s, s:s}", "time", t, "level", level, "msg", msg), false);
}

static void *flush_loop(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += FLUSH_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake, &lock, &until);
		flush_locked();
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int log_start(void)
{
	pthread_mutex_lock(&lock);
	if (!buffering) {
		pthread_condattr_t attr;
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&wake, &attr);
		pthread_condattr_destroy(&attr);
		stopping = false;
		buffering = pthread_create(&flusher, NULL, flush_loop, NULL) == 0;
		if (!buffering)
			pthread_cond_destroy(&wake);
	}
	int rc = buffering ? 0 : -1;
	pthread_mutex_unlock(&lock);
	return rc;
}

void log_stop(void)
{
	pthread_mutex_lock(&lock);
	bool was = buffering;
	buffering = false; /* from now on, lines are written at once */
	stopping = true;
	if (was)
		pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (!was)
		return;
	pthread_join(flusher, NULL); /* it flushes once more as it ends */
	pthread_mutex_lock(&lock);
	flush_locked();
	pthread_mutex_unlock(&lock);
	pthread_cond_destroy(&wake);
}
