/* The libmicrohttpd daemon and the request lifecycle:
 *   URI log callback   -> the request context is created (knows the URI length)
 *   first access call  -> route, limits, auth; nothing is queued unless the
 *                         body must be refused unread (that closes the connection)
 *   upload calls       -> the body is buffered up to the route's limit
 *   last access call   -> a signed route's signature is verified, then the
 *                         handler runs and its reply is queued
 *   completion         -> metrics, access log, the context is freed */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include "auth.h"
#include "config.h"
#include "http_internal.h"
#include "log.h"
#include "metrics.h"

/* A refused chunked body is read away up to this many bytes so the client
 * gets its 413; past it the connection is closed. */
#define DISCARD_MAX (8u << 20)
/* The whole body must arrive within this time. */
#define BODY_DEADLINE_S 120

static atomic_int stopping;
static atomic_int in_flight;

int server_stopping(void)
{
	return atomic_load(&stopping);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	size_t len = strlen(uri);
	struct req_private *p = calloc(1, sizeof *p + len + 1);
	if (p == NULL)
		return NULL;
	p->conn = conn;
	p->uri_len = len;
	memcpy(p->uri, uri, len + 1);
	p->early = ERR_NONE;
	p->watch = deadline_of(conn);
	deadline_request_line(p->watch);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	atomic_fetch_add(&in_flight, 1);
	return p;
}

static const char *header(struct req_private *p, const char *name)
{
	return MHD_lookup_connection_value(p->conn, MHD_HEADER_KIND, name);
}

static void refuse(struct req_private *p, enum err e, const char *field)
{
	p->early = e;
	p->early_field = field;
}

static bool is_json_type(const char *ct)
{
	if (ct == NULL)
		return false;
	size_t n = strcspn(ct, "; \t");
	return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

static bool unsafe_method(unsigned m)
{
	return m != M_GET && m != M_HEAD && m != M_OPTIONS;
}

/* Authentication and the route's authorization rule; a signed route's
 * signature waits for its body (verified, before its handler). */
static void authorize(struct req_private *p)
{
	struct req *r = &p->req;
	if (r->route->auth == AUTH_SIGNED || r->route->auth == AUTH_SIGNED_HUBSPOT)
		return;
	enum auth_via via;
	enum db_status s = auth_identify(header(p, MHD_HTTP_HEADER_AUTHORIZATION),
					 header(p, MHD_HTTP_HEADER_COOKIE), &p->user, &via);
	if (s == DB_UNAVAILABLE) {
		refuse(p, ERR_DB_UNAVAILABLE, NULL);
		return;
	}
	if (s == DB_OK) {
		r->user = &p->user;
		r->via = via;
		p->log_user = p->user.email;
	}
	if (r->route->auth == AUTH_PUBLIC)
		return;
	if (r->user == NULL) {
		refuse(p, s == DB_OK || s == DB_NOT_FOUND ? ERR_UNAUTHORIZED : ERR_INTERNAL, NULL);
		return;
	}
	/* A cross-site form can send a cookie but not a custom header. */
	if (via == AUTH_VIA_COOKIE && unsafe_method(r->method) &&
	    header(p, "X-Requested-With") == NULL) {
		refuse(p, ERR_CSRF_HEADER_MISSING, NULL);
		return;
	}
	if (!auth_allows(r->user, r->route->auth))
		refuse(p, ERR_FORBIDDEN, NULL);
}

/* first_call for a multipart upload: the size, then who, then the form. */
static void first_call_upload(struct req_private *p, const char *type, unsigned long long length)
{
	p->body_limit = ((size_t)config.max_upload_mb << 20) + FORM_OVERHEAD;
	if (length > p->body_limit)
		return refuse(p, ERR_PAYLOAD_TOO_LARGE, NULL);
	authorize(p);
	if (p->early != ERR_NONE)
		return;
	if (type == NULL || strncasecmp(type, "multipart/form-data", 19) != 0)
		return refuse(p, ERR_UNSUPPORTED_MEDIA_TYPE, NULL);
	if (!form_start(p, type))
		return refuse(p, ERR_INVALID_MULTIPART, NULL);
}

/* first_call for a streamed body: the size, then who, then the route's
 * own set-up. */
static void first_call_stream(struct req_private *p, unsigned long long length)
{
	p->body_limit = (size_t)config.max_upload_mb << 20;
	if (length > p->body_limit)
		return refuse(p, ERR_PAYLOAD_TOO_LARGE, NULL);
	authorize(p);
	if (p->early != ERR_NONE)
		return;
	p->streaming = 1;
	int e = p->req.route->stream->begin(&p->req);
	if (e != ERR_NONE)
		refuse(p, (enum err)e, NULL);
}

/* What the header block holds that libmicrohttpd 0.9.75 lets through
 * (RFC 9110/9112 say to refuse each): names that are not tokens, values
 * with a NUL (C strings would cut them), Hosts, and Content-Lengths that
 * disagree (request smuggling behind a proxy that takes the other one). */
struct header_scan {
	int hosts;
	const char *length; /* the first Content-Length */
	bool bad_name, nul, lengths_differ;
};

static bool token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   size_t key_size, const char *value, size_t value_size)
{
	(void)kind;
	struct header_scan *h = cls;
	bool token = key_size > 0;
	for (size_t i = 0; i < key_size; i++)
		token = token && token_char((unsigned char)key[i]);
	h->bad_name |= !token;
	h->nul |= value != NULL && memchr(value, '\0', value_size) != NULL;
	if (key_size == 4 && strncasecmp(key, "Host", 4) == 0)
		h->hosts++;
	if (key_size == 14 && strncasecmp(key, "Content-Length", 14) == 0 && value != NULL) {
		if (h->length == NULL)
			h->length = value;
		else
			h->lengths_differ |= strcmp(h->length, value) != 0;
	}
	return MHD_YES;
}

/* The header block's fault, ERR_NONE when there is none. */
static enum err header_fault(struct req_private *p, const char *version)
{
	struct header_scan h = {0};
	MHD_get_connection_values_n(p->conn, MHD_HEADER_KIND, scan_header, &h);
	if (h.lengths_differ)
		return ERR_AMBIGUOUS_LENGTH;
	bool http11 = version != NULL && strcmp(version, MHD_HTTP_VERSION_1_1) == 0;
	if (h.bad_name || h.nul || h.hosts > 1 || (http11 && h.hosts == 0))
		return ERR_BAD_REQUEST;
	return ERR_NONE;
}

/* Everything decided from the request line and headers alone. */
static void first_call(struct req_private *p, const char *url, const char *method,
		       const char *version)
{
	struct req *r = &p->req;
	p->method_name = method;
	r->method = route_method(method);
	r->path = url;
	const char *te = header(p, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	const char *cl = header(p, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long length = cl ? strtoull(cl, NULL, 10) : 0;
	p->has_body = te != NULL || length > 0;

	if (atomic_load(&stopping))
		return refuse(p, ERR_SHUTTING_DOWN, NULL);
	if (te != NULL && cl != NULL)
		return refuse(p, ERR_AMBIGUOUS_LENGTH, NULL);
	/* libmicrohttpd reads any other coding as a body that ends when the
	 * connection does: the client would wait for the timeout. */
	if (te != NULL && strcasecmp(te, "chunked") != 0)
		return refuse(p, ERR_BAD_REQUEST, "Transfer-Encoding");
	enum err fault = header_fault(p, version);
	if (fault != ERR_NONE)
		return refuse(p, fault, NULL);
	if (p->uri_len > ROUTE_MAX_PATH)
		return refuse(p, ERR_URI_TOO_LONG, NULL);

	switch (route_match(routes, routes_count, r->method, url, &r->match)) {
	case ROUTE_NOT_FOUND:
		return refuse(p, ERR_NOT_FOUND, NULL);
	case ROUTE_BAD_METHOD: {
		char allow[96];
		reply_header(r, "Allow", route_allow_header(r->match.allowed, allow, sizeof allow));
		return refuse(p, ERR_METHOD_NOT_ALLOWED, NULL);
	}
	case ROUTE_FOUND:
		break;
	}
	r->route = r->match.route;
	const char *type = header(p, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (r->route->body == BODY_UPLOAD && !is_json_type(type))
		return first_call_upload(p, type, length);
	if (r->route->body == BODY_STREAM)
		return first_call_stream(p, length);
	p->body_limit = r->route->body_limit ? r->route->body_limit
					     : (r->route->body != BODY_NONE ? JSON_BODY_LIMIT : 0);
	if (length > p->body_limit)
		return refuse(p, ERR_PAYLOAD_TOO_LARGE, NULL);
	if ((r->route->body == BODY_JSON || r->route->body == BODY_UPLOAD) && !is_json_type(type))
		return refuse(p, ERR_UNSUPPORTED_MEDIA_TYPE, NULL);
	authorize(p);
}

static enum MHD_Result queue(struct req_private *p)
{
	if (p->response == NULL)
		reply_problem(p, ERR_INTERNAL, NULL, "the handler made no reply");
	if (p->response == NULL)
		return MHD_NO;
	return MHD_queue_response(p->conn, p->status, p->response);
}

static void early_reply(struct req_private *p)
{
	if (p->early == ERR_DB_UNAVAILABLE)
		reply_header(&p->req, "Retry-After", "5");
	reply_problem(p, p->early, p->early_field, NULL);
}

/* Appends body bytes, keeping a NUL after them; false when the limit is
 * passed. */
static bool take_body(struct req_private *p, const char *data, size_t len)
{
	if (len > p->body_limit - p->body_len)
		return false;
	if (p->body_len + len + 1 > p->body_cap) {
		size_t cap = p->body_cap ? p->body_cap : 4096;
		while (cap < p->body_len + len + 1)
			cap *= 2;
		char *nb = realloc(p->body, cap);
		if (nb == NULL)
			return false;
		p->body = nb;
		p->body_cap = cap;
	}
	memcpy(p->body + p->body_len, data, len);
	p->body_len += len;
	p->body[p->body_len] = '\0';
	return true;
}

void http_run_handler(struct req_private *p)
{
	struct req *r = &p->req;
	if ((r->route->auth == AUTH_SIGNED || r->route->auth == AUTH_SIGNED_HUBSPOT) &&
	    !signed_request_ok(p))
		return;
	if ((r->route->body == BODY_JSON || r->route->body == BODY_UPLOAD) && p->form == NULL) {
		json_error_t e;
		r->json =
		    json_loadb(p->body ? p->body : "", p->body_len, JSON_REJECT_DUPLICATES, &e);
		if (r->json == NULL || !json_is_object(r->json)) {
			char detail[200];
			if (r->json == NULL)
				snprintf(detail, sizeof detail, "line %d column %d: %s", e.line,
					 e.column, e.text);
			else
				snprintf(detail, sizeof detail, "the body must be a JSON object");
			reply_problem(p, ERR_INVALID_JSON, NULL, detail);
			return;
		}
	}
	r->route->handler(r);
}

/* Hands body bytes to a BODY_STREAM route; false when it refused them
 * (answered). */
static bool stream_feed(struct req_private *p, const char *data, size_t len)
{
	p->body_len += len; /* counted, not kept */
	int e = p->body_len > p->body_limit ? ERR_PAYLOAD_TOO_LARGE
					    : p->req.route->stream->data(&p->req, data, len);
	if (e == ERR_NONE)
		return true;
	reply_problem(p, (enum err)e, NULL, NULL);
	return false;
}

/* PITFALLS.md: MHD's inactivity timeout does not stop a client trickling
 * bytes. A body must arrive within BODY_DEADLINE_S, plus for large uploads
 * one second per 64 KiB received. */
static unsigned long body_deadline_us(const struct req_private *p)
{
	unsigned long long got = p->form ? p->form->read : p->body_len;
	return (BODY_DEADLINE_S + (unsigned long)(got >> 16)) * 1000000UL;
}

static unsigned long micros_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long)((t.tv_sec - t0->tv_sec) * 1000000L +
			       (t.tv_nsec - t0->tv_nsec) / 1000L);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	(void)cls;
	struct req_private *p = *con_cls;
	if (p == NULL)
		return MHD_NO; /* out of memory in on_uri */
	if (!p->started) {
		/* The header block is complete: from now on the connection
		 * is not cut for slowness (the body has its own deadline). */
		if (!deadline_headers_done(p->watch))
			return MHD_NO;
		p->started = 1;
		first_call(p, url, method, version);
		/* A body we refuse is not read: answer now (MHD then closes). */
		if (p->early != ERR_NONE && p->has_body) {
			early_reply(p);
			return queue(p);
		}
		return MHD_YES;
	}
	(void)conn;
	if (*upload_size != 0) {
		if (micros_since(&p->start) > body_deadline_us(p)) {
			log_msg("warn", "%s %s: body not complete after %d s; closing",
				p->method_name, p->req.path, BODY_DEADLINE_S);
			return MHD_NO;
		}
		if (p->discarding) {
			/* MHD can only answer once the body has ended; a
			 * client that keeps sending is cut off instead. */
			p->discarded += *upload_size;
			if (p->discarded > DISCARD_MAX)
				return MHD_NO;
		} else if (p->early != ERR_NONE) {
			; /* answered at the end */
		} else if (p->form != NULL) {
			p->discarding = !form_feed(p, upload_data, *upload_size);
		} else if (p->streaming) {
			p->discarding = !stream_feed(p, upload_data, *upload_size);
		} else if (!take_body(p, upload_data, *upload_size)) {
			reply_problem(p, ERR_PAYLOAD_TOO_LARGE, NULL, NULL);
			p->discarding = 1;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (p->discarding)
		return queue(p);
	if (p->deferred) { /* resumed: the handler answers now */
		p->deferred = 0;
		p->req.resumed = true;
		p->req.route->handler(&p->req);
	} else if (p->pooled) {
		; /* resumed by the pool: the reply is made */
	} else if (p->early != ERR_NONE) {
		early_reply(p);
	} else if (p->form == NULL || form_finish(p)) {
		p->pooled = !p->req.route->no_db;
		if (p->pooled && pool_submit(p))
			return MHD_YES; /* suspended until the pool has run it */
		p->pooled = 0;
		http_run_handler(p);
	}
	if (p->deferred)
		return MHD_YES; /* suspended until req_resume */
	return queue(p);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	struct req_private *p = *con_cls;
	if (p == NULL)
		return;
	*con_cls = NULL;
	deadline_request_done(p->watch);
	/* 499: the connection ended before a response went out. */
	unsigned status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && p->status ? p->status : 499;
	unsigned long us = micros_since(&p->start);
	if (p->method_name != NULL) {
		metrics_request(p->req.route ? (int)p->req.match.index : -1, status, us);
		log_access(p->method_name, p->req.path ? p->req.path : "", status, p->bytes, us,
			   p->log_user);
	}
	req_private_free(p);
	atomic_fetch_sub(&in_flight, 1);
}

/* libmicrohttpd logs a line for every client that closes, or is cut,
 * mid-request: a flood of slow clients must not flood the log. At most
 * MHD_LOG_PER_S lines a second; the count of the others follows. */
#define MHD_LOG_PER_S 10

static bool mhd_log_allowed(void)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t second;
	static unsigned logged;
	static unsigned long dropped;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	pthread_mutex_lock(&lock);
	unsigned long report = 0;
	if (t.tv_sec != second) {
		report = dropped;
		second = t.tv_sec;
		logged = dropped = 0;
	}
	bool ok = logged < MHD_LOG_PER_S;
	if (ok)
		logged++;
	else
		dropped++;
	pthread_mutex_unlock(&lock);
	if (report > 0)
		log_msg("warn", "libmicrohttpd: %lu more messages were not logged", report);
	return ok;
}

static void on_mhd_error(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	if (!mhd_log_allowed())
		return;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_msg("warn", "libmicrohttpd: %s", msg);
}

/* Binds the listen address ourselves so a failure says why. */
static int listen_socket(void)
{
	struct sockaddr_storage ss = {0};
	socklen_t len;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, config.listen_host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(config.listen_port);
		len = sizeof *v4;
	} else if (inet_pton(AF_INET6, config.listen_host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(config.listen_port);
		len = sizeof *v6;
	} else {
		fprintf(stderr, "nextstage: NEXTSTAGE_LISTEN host '%s' is not an IP address\n",
			config.listen_host);
		return -1;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0) {
		fprintf(stderr, "nextstage: cannot listen on %s:%u: %s\n", config.listen_host,
			config.listen_port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void server_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int server_run(void)
{
	int fd = listen_socket();
	if (fd < 0)
		return -1;

	server_block_signals();
	if (!pool_start(config.db_pool)) {
		close(fd);
		return -1;
	}
	if (!deadline_start(config.max_connections, config.header_timeout_s)) {
		pool_stop();
		close(fd);
		return -1;
	}

	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_error, NULL,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, config.threads,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
	    NULL, MHD_OPTION_NOTIFY_CONNECTION, deadline_notify, NULL,
	    /* PITFALLS.md: the defaults (no timeout, no per-IP limit) let
	     * one client starve everyone; the timeout restarts with every
	     * byte, so deadline.c bounds the time a request's headers take. */
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, config.max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 256u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)32 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "nextstage: cannot start the HTTP server on %s:%u\n",
			config.listen_host, config.listen_port);
		deadline_stop();
		pool_stop();
		close(fd);
		return -1;
	}
	log_msg("info", "listening on http://%s:%u with %u threads, %u in the database pool",
		config.listen_host, config.listen_port, config.threads, config.db_pool);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	int sig = 0;
	sigwait(&set, &sig);
	atomic_store(&stopping, 1);
	log_msg("info", "signal %d: finishing in-flight requests", sig);
	MHD_quiesce_daemon(d); /* no new connections */
	for (int i = 0; i < 1000 && atomic_load(&in_flight) > 0; i++)
		usleep(10000);
	if (atomic_load(&in_flight) > 0)
		log_msg("warn", "%d requests still running after 10 s; closing them",
			atomic_load(&in_flight));
	pool_stop(); /* what is queued runs; no connection stays suspended */
	MHD_stop_daemon(d);
	deadline_stop();
	close(fd);
	log_msg("info", "stopped");
	return 0;
}
