/* JSON-lines logging on stderr: one write(2) per line so lines from
 * several threads never interleave. */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void now_rfc3339(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static void emit(json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(o);
	if (line == NULL)
		return;
	size_t len = strlen(line);
	line[len] = '\n'; /* json_dumps leaves room: we replace the NUL */
	ssize_t w = write(STDERR_FILENO, line, len + 1);
	(void)w;
	free(line);
}

void log_access(const char *method, const char *path, unsigned status, unsigned long bytes,
		unsigned long micros, const char *user)
{
	char t[40];
	now_rfc3339(t, sizeof t);
	emit(json_pack("{s:s, s:s, s:s, s:i, s:I, s:f, s:s?}", "time", t, "method", method, "path",
		       path, "status", (int)status, "bytes", (json_int_t)bytes, "duration_ms",
		       (double)micros / 1000.0, "user", user));
}

void log_msg(const char *level, const char *fmt, ...)
{
	char t[40], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	now_rfc3339(t, sizeof t);
	emit(json_pack("{s:s, s:s, s:s}", "time", t, "level", level, "msg", msg));
}
