/* The HTTP server: libmicrohttpd daemon, request lifecycle, shutdown. */
#ifndef NS_SERVER_H
#define NS_SERVER_H

/* Binds the configured address and serves until SIGINT/SIGTERM, then stops
 * accepting, lets in-flight requests finish (up to 10 s) and returns 0.
 * Returns -1 with a message on stderr when it cannot listen. */
int server_run(void);

/* Blocks SIGINT and SIGTERM in the calling thread, and so in every thread
 * it starts afterwards: only server_run's sigwait may take them (a thread
 * with them unblocked would die of the second signal during the drain).
 * Call before starting any thread. Ignores SIGPIPE. */
void server_block_signals(void);

/* True once shutdown has begun (new requests get 503 shutting_down). */
int server_stopping(void);

#endif
