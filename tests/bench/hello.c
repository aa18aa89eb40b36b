/* The reference for `make bench`: the least a libmicrohttpd server can do per
 * request (200 "ok" to every GET), in the daemon mode and with the limits of
 * build/nextstage. The bench reports nextstage's throughput as a ratio of this
 * one, so it measures our code, not the machine or the library.
 *
 *   cc -O2 -o build/bench/hello tests/bench/hello.c -lmicrohttpd
 *   BENCH_THREADS=2 build/bench/hello 8081     (runs until SIGTERM/SIGINT) */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static int started;
	(void)cls, (void)url, (void)version, (void)upload_data;

	/* PITFALLS.md: queuing on the first call makes libmicrohttpd close the
	 * connection after every response (~8x slower). */
	if (*con_cls == NULL) {
		*con_cls = &started;
		return MHD_YES;
	}
	if (*upload_data_size != 0) { /* discard any body */
		*upload_data_size = 0;
		return MHD_YES;
	}
	int get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(get ? 2 : 0, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	enum MHD_Result ret =
	    MHD_queue_response(conn, get ? MHD_HTTP_OK : MHD_HTTP_METHOD_NOT_ALLOWED, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long port = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	if (port == 0 || port > 65535 || *end != '\0') {
		fprintf(stderr, "usage: %s PORT   (threads: env BENCH_THREADS, default nproc)\n",
			argv[0]);
		return 2;
	}
	const char *t = getenv("BENCH_THREADS");
	long threads = t != NULL && *t != '\0' ? atol(t) : sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1 || threads > 256) {
		fprintf(stderr, "hello: BENCH_THREADS must be 1..256\n");
		return 2;
	}

	/* Block the signals before MHD starts its threads; main waits for them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
	    NULL, answer, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)4096, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)1024,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "hello: cannot start on port %lu\n", port);
		return 1;
	}
	int sig;
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	return 0;
}
