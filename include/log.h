/* Logging: one JSON object per line on stderr. */
#ifndef NS_LOG_H
#define NS_LOG_H

/* The access log line of one request. @user may be NULL. Thread-safe. */
void log_access(const char *method, const char *path, unsigned status, unsigned long bytes,
		unsigned long micros, const char *user);

/* An event line {"time","level","msg"} with printf formatting. Thread-safe. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
