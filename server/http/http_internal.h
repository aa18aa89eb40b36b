/* Private to server/http/: the request context behind struct req. */
#ifndef NS_HTTP_INTERNAL_H
#define NS_HTTP_INTERNAL_H
#include <microhttpd.h>
#include <time.h>
#include "http.h"

#define REPLY_MAX_HEADERS 8
#define JSON_BODY_LIMIT	  (1024 * 1024)

/* One request, created when its request line is parsed (URI log callback)
 * and freed only in the completion callback, whatever happened between. */
struct req_private {
	struct req req; /* what handlers see; first member */
	struct MHD_Connection *conn;
	struct timespec start;
	const char *method_name;
	size_t uri_len;
	int started;	/* the first access-handler call happened */
	enum err early; /* error found before the body, or ERR__COUNT */
	const char *early_field;
	int has_body;	/* Content-Length > 0 or chunked */
	int discarding; /* reading the rest of a refused body */
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
};

/* Replies built for a request not yet routed (404, 413 ...): same as
 * reply_error but usable from the lifecycle code. */
void reply_problem(struct req_private *p, enum err e, const char *field, const char *detail);

/* Frees everything the request holds. */
void req_private_free(struct req_private *p);

#endif
