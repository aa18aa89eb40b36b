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
#include "model.h"

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

/* The time now as RFC 3339 UTC with milliseconds (24 bytes and a NUL).
 * The part up to the seconds is made once per second per thread. */
static void now_rfc3339(char out[25])
{
	static _Thread_local time_t sec = -1;
	static _Thread_local char head[21];
	struct timeval tv;
	gettimeofday(&tv, NULL);
	if (tv.tv_sec != sec) {
		struct tm tm;
		gmtime_r(&tv.tv_sec, &tm);
		strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
		sec = tv.tv_sec;
	}
	snprintf(out, 25, "%.19s.%03uZ", head, (unsigned)(tv.tv_usec / 1000) % 1000);
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

/* Writes @s at @p as a JSON string, quotes included: '"', '\\' and
 * control characters escaped, each byte that is not part of valid UTF-8
 * as U+FFFD (a path can hold any byte, and the line must stay JSON).
 * Writes 6 * strlen(@s) + 2 bytes at most; returns the end. */
static char *json_quote(char *p, const char *s)
{
	*p++ = '"';
	for (const unsigned char *c = (const unsigned char *)s; *c;) {
		size_t n = utf8_char_len(c);
		if (n == 0) {
			memcpy(p, "\\ufffd", 6);
			p += 6;
			n = 1;
		} else if (*c == '"' || *c == '\\') {
			*p++ = '\\';
			*p++ = (char)*c;
		} else if (*c < 0x20) {
			p += sprintf(p, "\\u%04x", *c);
		} else {
			memcpy(p, c, n);
			p += n;
		}
		c += n;
	}
	*p++ = '"';
	return p;
}

/* Access lines are made by hand, not with jansson: they are the one line
 * per request, and jansson refused (dropped) paths that are not UTF-8. */
void log_access(const char *method, const char *path, unsigned status, unsigned long bytes,
		unsigned long micros, const char *user)
{
	size_t max = 256 + 6 * (strlen(method) + strlen(path) + (user ? strlen(user) : 0));
	char small[1024], *line = max <= sizeof small ? small : malloc(max);
	if (line == NULL)
		return;
	char t[25], *p = line;
	now_rfc3339(t);
	p += sprintf(p, "{\"time\":\"%s\",\"method\":", t);
	p = json_quote(p, method);
	p += sprintf(p, ",\"path\":");
	p = json_quote(p, path);
	p += sprintf(p, ",\"status\":%u,\"bytes\":%lu,\"duration_ms\":%lu.%03lu,\"user\":", status,
		     bytes, micros / 1000, micros % 1000);
	if (user != NULL)
		p = json_quote(p, user);
	else
		p += sprintf(p, "null");
	*p++ = '}';
	*p++ = '\n';
	put(line, (size_t)(p - line), true);
	if (line != small)
		free(line);
}

void log_msg(const char *level, const char *fmt, ...)
{
	char t[25], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	now_rfc3339(t);
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
