/* The HTTP server: libmicrohttpd daemon, request lifecycle, shutdown. */
#ifndef NS_SERVER_H
#define NS_SERVER_H

/* Binds the configured address and serves until SIGINT/SIGTERM, then stops
 * accepting, lets in-flight requests finish (up to 10 s) and returns 0.
 * Returns -1 with a message on stderr when it cannot listen. */
int server_run(void);

/* True once shutdown has begun (new requests get 503 shutting_down). */
int server_stopping(void);

#endif
