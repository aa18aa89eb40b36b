/* Route matching over one static table (server/http/routes.c). */
#ifndef NS_ROUTER_H
#define NS_ROUTER_H
#include <stdbool.h>
#include <stddef.h>

enum http_method {
	M_GET = 1u << 0,
	M_HEAD = 1u << 1,
	M_POST = 1u << 2,
	M_PUT = 1u << 3,
	M_PATCH = 1u << 4,
	M_DELETE = 1u << 5,
	M_OPTIONS = 1u << 6,
};

/* Who may call a route. The route table is the one place this is decided. */
enum route_auth {
	AUTH_PUBLIC,   /* anyone */
	AUTH_USER,     /* any signed-in user (cookie or bearer) */
	AUTH_MARKETER, /* marketer or admin */
	AUTH_BOARD,    /* editorial board member or admin */
	/* editorial board member, marketer or admin: reads the board's work
	 * (its decisions, an asset's trail) */
	AUTH_BOARD_READ,
	AUTH_ADMIN, /* admin only */
	/* no user: whoever signs the body with a webhook secret of kind crm
	 * (HMAC-SHA256 in X-Nextstage-Signature). The body must be read to
	 * be verified, so the HTTP layer checks it once the body has arrived
	 * and before the handler runs (401 bad_signature otherwise, 503
	 * webhook_not_configured without a secret of the kind); credentials
	 * are not looked at. For BODY_RAW routes. */
	AUTH_SIGNED,
	/* AUTH_SIGNED, signed the way HubSpot signs (X-HubSpot-Signature-v3)
	 * under a secret of kind hubspot (a HubSpot app's client secret) */
	AUTH_SIGNED_HUBSPOT,
};

/* How the body is taken before the handler runs. */
enum route_body {
	BODY_NONE, /* a body is refused (413 if any bytes arrive) */
	BODY_JSON, /* application/json, buffered up to the route's limit, parsed */
	/* multipart/form-data, read as it arrives: the part named "file" goes
	 * to the blob store, other parts are kept as text; or application/json
	 * as BODY_JSON. The limit is NEXTSTAGE_MAX_UPLOAD_MB plus 64 KiB. */
	BODY_UPLOAD,
	/* any content type, buffered up to the route's limit (default 1 MiB),
	 * not parsed: for bodies that must be verified before they are read
	 * (signed webhooks); see req_body */
	BODY_RAW,
	/* any content type, handed to the route's stream functions as it
	 * arrives (nothing buffered), after authorization; the limit is
	 * NEXTSTAGE_MAX_UPLOAD_MB */
	BODY_STREAM,
};

struct req;
/* How a BODY_STREAM route reads its body: begin once the caller is
 * authorized, data for each piece, then the route's handler answers.
 * A non-ERR_NONE return refuses the request with that error (the rest
 * of the body is read away). release always runs, in the completion
 * callback, to free what begin made. (enum err values, as int to keep
 * this header free of the registry.) */
struct route_stream {
	int (*begin)(struct req *r);
	int (*data)(struct req *r, const char *buf, size_t len);
	void (*release)(struct req *r);
};

typedef void (*route_handler)(struct req *r);

struct route {
	unsigned method;     /* one M_* bit; GET routes also answer HEAD */
	const char *pattern; /* "/api/v1/personas/{slug}": {name} is one segment; a
				last {name*} is the rest of the path (slashes too, maybe empty) */
	route_handler handler;
	enum route_auth auth;
	enum route_body body;
	size_t body_limit;		   /* bytes; 0 = the default for the body kind */
	const char *metric;		   /* label in /metrics; defaults to the pattern */
	const struct route_stream *stream; /* BODY_STREAM routes */
	/* the handler never waits on the database (health, the app's files,
	 * who one is): it runs on the HTTP thread that read the request,
	 * where every other one runs on the database pool (server/http/pool.c) */
	bool no_db;
};

#define ROUTE_MAX_PARAMS 4
#define ROUTE_MAX_PATH	 2048

struct route_match {
	const struct route *route; /* NULL unless ROUTE_FOUND */
	size_t index;		   /* position in the table */
	unsigned allowed;	   /* M_* bits of every route with this path (for 405 Allow) */
	unsigned nparams;
	const char *params[ROUTE_MAX_PARAMS]; /* NUL-terminated, point into buf */
	char buf[ROUTE_MAX_PATH];
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Finds the route of @table (@n entries) for @method and @path.
 * ROUTE_FOUND fills m->route and m->params (percent-decoding is the
 * caller's; segments are matched as given); ROUTE_BAD_METHOD means the path
 * exists for other methods (m->allowed); paths longer than ROUTE_MAX_PATH or
 * with empty segments are ROUTE_NOT_FOUND. Can't fail otherwise. */
enum route_result route_match(const struct route *table, size_t n, unsigned method,
			      const char *path, struct route_match *m);

/* "GET, HEAD, POST" for @allowed into @buf. Returns @buf. */
const char *route_allow_header(unsigned allowed, char *buf, size_t len);

/* The M_* bit of a method name, 0 when unknown. */
unsigned route_method(const char *name);

/* The application's route table. */
extern const struct route routes[];
extern const size_t routes_count;

#endif
