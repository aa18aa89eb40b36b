/* Private to server/http/: the request context behind struct req. */
#ifndef NS_HTTP_INTERNAL_H
#define NS_HTTP_INTERNAL_H
#include <microhttpd.h>
#include <time.h>
#include "http.h"
#include "multipart.h"
#include "store.h"

#define REPLY_MAX_HEADERS 12
#define JSON_BODY_LIMIT	  (1024 * 1024)
#define FORM_FIELDS_MAX	  8
#define FORM_FIELD_LIMIT  (64 * 1024) /* bytes of one text part */
#define FORM_OVERHEAD	  (64 * 1024) /* a form's bytes beyond its file */

/* A multipart/form-data body being read (BODY_UPLOAD routes). */
struct form {
	struct mp_parser *mp;
	unsigned long long read; /* body bytes so far */
	int cur;		 /* the part being read: FORM_FILE, a field index, or -1 */
	struct blob_writer *file;
	bool file_seen;
	int nfields;
	char *name[FORM_FIELDS_MAX], *value[FORM_FIELDS_MAX];
	size_t len[FORM_FIELDS_MAX];
	/* Why a callback stopped the parser. */
	enum err err;
	const char *err_field;
	char err_detail[160];
};
#define FORM_FILE (-2)

/* One request, created when its request line is parsed (URI log callback)
 * and freed only in the completion callback, whatever happened between. */
struct req_private {
	struct req req; /* what handlers see; first member */
	struct MHD_Connection *conn;
	struct deadline_conn *watch; /* its connection's deadlines (deadline.c) */
	struct timespec start;
	const char *method_name;
	size_t uri_len;
	int started;	/* the first access-handler call happened */
	enum err early; /* error found before the body, or ERR_NONE */
	const char *early_field;
	int has_body;	/* Content-Length > 0 or chunked */
	int discarding; /* reading the rest of a refused body */
	int streaming;	/* a BODY_STREAM route took the body (release at the end) */
	int deferred;	/* suspended by req_defer, waiting for req_resume */
	int pooled;	/* its handler ran on the database pool: the reply is ready */
	struct req_private *queued_next; /* the pool's queue */
	struct timespec queued_at;
	size_t discarded;
	char *body; /* BODY_JSON: the bytes so far */
	size_t body_len, body_cap, body_limit;
	struct MHD_Response *response;
	unsigned status;
	size_t bytes;
	int nheaders;
	char *hdr_name[REPLY_MAX_HEADERS], *hdr_value[REPLY_MAX_HEADERS];
	struct user user;
	const char *log_user;
	struct form *form;
	char uri[]; /* the request target as received (path and query, not decoded) */
};

/* The context behind a handler's struct req (its first member). */
#define PRIV(r)	 ((struct req_private *)(r))
#define CPRIV(r) ((const struct req_private *)(r))

/* Multipart forms (form.c). form_start makes p->form for a Content-Type
 * (false: not a usable multipart/form-data header, 400 answered);
 * form_feed takes body bytes and form_finish ends the body (false: the
 * form was refused and answered; the caller discards the rest). */
bool form_start(struct req_private *p, const char *content_type);
bool form_feed(struct req_private *p, const char *data, size_t len);
bool form_finish(struct req_private *p);
void form_free(struct form *f);

/* Replies built for a request not yet routed (404, 413 ...): same as
 * reply_error but usable from the lifecycle code (reply.c). */
void reply_problem(struct req_private *p, enum err e, const char *field, const char *detail);

/* A signed route's signature (signed.c), checked once its body is in:
 * false when refused, answered (401 bad_signature, 503
 * webhook_not_configured or db_unavailable, 500). */
bool signed_request_ok(struct req_private *p);

/* Runs the route's handler once the body is in (server.c): a signed
 * route's signature first, a JSON body parsed. */
void http_run_handler(struct req_private *p);

/* The database pool (pool.c). pool_start makes @n threads (false when it
 * cannot). pool_submit suspends @p's connection and queues it; a pool
 * thread runs http_run_handler and resumes the connection, and the
 * access handler, called again, sends the reply. False, and nothing
 * done, when the pool is stopped: the caller runs the handler itself.
 * pool_defers is req_defer's question: true when @p's handler runs on the
 * calling pool thread, whose connection is already suspended (that thread
 * then leaves the resume to whoever req_defer's caller hands @p to).
 * pool_stop lets the threads finish every queued request, then joins
 * them. */
bool pool_start(unsigned n);
bool pool_submit(struct req_private *p);
bool pool_defers(struct req_private *p);
void pool_stop(void);
struct pool_stats {
	unsigned size, busy, queued;
	unsigned long waits; /* requests queued while no pool thread was idle */
	double wait_seconds; /* the time requests spent queued */
};
void pool_stats(struct pool_stats *s);

/* Deadlines of client connections (deadline.c): a request's line and
 * headers within header_timeout_s whatever the client's pace, idle
 * kept-alive connections shed first when the server is nearly full.
 * deadline_notify is the MHD_OPTION_NOTIFY_CONNECTION callback (it tracks
 * every connection); the other calls come from the request lifecycle on
 * the connection's own thread, with the connection's entry from
 * deadline_of (NULL, when memory was short, is never cut and is accepted
 * everywhere). deadline_headers_done is the access handler's first call:
 * false when the connection was cut just before (answer MHD_NO); from then
 * until deadline_request_done (the completion callback) the connection is
 * never cut. deadline_start starts the thread that cuts them (false, and
 * logged, when it cannot); deadline_stop joins it. */
struct deadline_conn;
void deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		     enum MHD_ConnectionNotificationCode code);
struct deadline_conn *deadline_of(struct MHD_Connection *conn);
void deadline_request_line(struct deadline_conn *c);
bool deadline_headers_done(struct deadline_conn *c);
void deadline_request_done(struct deadline_conn *c);
bool deadline_start(unsigned limit, unsigned header_timeout_s);
void deadline_stop(void);
struct deadline_stats {
	unsigned open, limit;		     /* client connections */
	unsigned long cut_headers, cut_idle; /* closed by the deadlines */
};
void deadline_stats(struct deadline_stats *s);

/* Frees everything the request holds (request.c). */
void req_private_free(struct req_private *p);

#endif
