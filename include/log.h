/* Logging: one JSON object per line on stderr. */
#ifndef NS_LOG_H
#define NS_LOG_H

/* The access log line of one request. @user may be NULL. Thread-safe.
 * While the flusher runs (log_start), lines are buffered and written
 * together at least every 100 ms, or as soon as 64 KiB are waiting: one
 * write(2) per request was a measurable part of a request's cost. A crash
 * can lose the last 100 ms of access lines, never a line in part. Without
 * the flusher, each line is written at once. */
void log_access(const char *method, const char *path, unsigned status, unsigned long bytes,
		unsigned long micros, const char *user);

/* An event line {"time","level","msg"} with printf formatting, written
 * at once (after any access lines waiting, so the order holds).
 * Thread-safe. */
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Starts the thread that flushes buffered access lines; returns 0, or -1
 * when it cannot start (lines are then written one by one). */
int log_start(void);

/* Stops the flusher and writes every line still buffered. Call it after
 * the last request has completed; log_access writes at once afterwards. */
void log_stop(void);

#endif
