/* What a handler sees of a request, and how it answers. Handlers never
 * touch libmicrohttpd or libpq: they read the request through these
 * accessors, call db_* functions, and answer with one reply_* call. */
#ifndef NS_HTTP_H
#define NS_HTTP_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "db.h"
#include "db_writer.h"
#include "error.h"
#include "json_spec.h"
#include "model.h"
#include "router.h"
#include "store.h"
#include "visitor.h"

enum auth_via { AUTH_VIA_NONE, AUTH_VIA_COOKIE, AUTH_VIA_BEARER };

struct req {
	unsigned method;  /* M_* */
	const char *path; /* decoded path, without the query */
	const struct route *route;
	struct route_match match; /* params of the route */
	const struct user *user;  /* NULL on public routes without credentials */
	enum auth_via via;
	json_t *json;			 /* the parsed body of BODY_JSON routes */
	void *state;			 /* the route's own (see route_stream, req_defer) */
	void (*state_free)(void *state); /* if set, frees @state when the request ends */
	bool resumed;			 /* the handler runs again after req_defer */
	struct req_private *priv;	 /* the HTTP layer's own state */
};

/* request.c: what a handler reads of its request. */
/* Path parameter @i of the matched route (NUL-terminated). */
const char *req_param(const struct req *r, unsigned i);
/* A query argument, or NULL. */
const char *req_query(const struct req *r, const char *key);
/* Every value of a repeatable query argument as a new JSON array of
 * strings, or NULL when it is absent. Values that are not valid UTF-8 are
 * left out. */
json_t *req_query_list(const struct req *r, const char *key);
/* The client's address as text ("" if unknown) into @out: the peer's, or
 * the one X-Forwarded-For names when the peer is a trusted proxy
 * (config.trusted_proxies, netaddr_client). */
void req_client(const struct req *r, char *out, size_t len);
/* The request method ("GET", "HEAD", ...). */
const char *req_method(const struct req *r);
/* The request target as the client sent it: path and query, not decoded. */
const char *req_target(const struct req *r);
/* A request header (case-insensitive name), or NULL. */
const char *req_header(const struct req *r, const char *name);
/* Whether Accept-Encoding takes gzip (named, and not with q=0). */
bool req_accepts_gzip(const struct req *r);
/* Who is asking, as an open, a page view or a lead records it
 * (visitor.h): the bot rules on the method and User-Agent, and the keyed
 * hash of the client address (not hashed while the key can't be read
 * from the database). Can't fail. */
void req_visitor(const struct req *r, struct visitor *v);

/* BODY_RAW routes: the body as received (*@len bytes, NUL-terminated). */
const char *req_body(const struct req *r, size_t *len);

/* Parses the body against @spec; on failure answers 400 naming the field
 * and returns false (the handler just returns). */
bool req_parse_json(struct req *r, const struct js_field *spec, size_t n);

/* A zeroed block of @size bytes kept in r->state and freed with the
 * request, after @clear(block) when @clear is not NULL. NULL when out of
 * memory (answered 500). */
void *req_state_new(struct req *r, size_t size, void (*clear)(void *block));

/* The integer query parameter @key in [@min, @max] into *@out (@def when
 * absent). False when answered with 400 invalid_parameter. */
bool req_query_int(struct req *r, const char *key, int def, int min, int max, int *out);

/* The optional query parameter @key into *@out (NULL when absent): an id
 * when @uuid, else a slug. False when answered with 400 invalid_parameter. */
bool req_query_filter(struct req *r, const char *key, bool uuid, const char **out);

/* form.c: BODY_UPLOAD routes. A text part of the multipart form (NUL-terminated),
 * or NULL if absent or the body was not a form. */
const char *req_form(const struct req *r, const char *name);
/* The form's file, stored and sealed (blob_close succeeded) but not yet
 * committed: take its upload with blob_writer_take to record it. NULL if
 * the form had no file part. */
struct blob_writer *req_file(struct req *r);

/* reply.c: how it answers. */
/* Each takes ownership of what it is given. Exactly one reply per
 * request: a second one is a bug, logged and ignored. */
void reply_json(struct req *r, unsigned status, json_t *body);
void reply_text(struct req *r, unsigned status, const char *content_type, char *body, size_t len);
/* A reply of @len bytes at @body, which outlive every request (the web
 * app's files, loaded once): sent as they are, not copied or freed. */
void reply_bytes(struct req *r, unsigned status, const char *content_type, const void *body,
		 size_t len);
void reply_empty(struct req *r, unsigned status);
void reply_error(struct req *r, enum err e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Like reply_db, but DB_INVALID / DB_CONFLICT with a @fault that names a
 * field answer 400 (missing_field or invalid_field) / 409 naming it. */
void reply_fault(struct req *r, enum db_status st, const struct db_fault *fault);
/* On DB_OK answers @status with @json, JSON text made by the database
 * (taken; may be NULL otherwise); else the failure as reply_fault. */
void reply_db_json(struct req *r, enum db_status st, const struct db_fault *fault, unsigned status,
		   char *json);
/* Maps a database status to its answer (404, 409, 400, 503, 500). */
void reply_db(struct req *r, enum db_status st);
/* The Retry-After (seconds) of every storage_full answer (added to one
 * that has none): space comes back when an operator frees it. */
#define STORAGE_FULL_RETRY_S "60"

/* Streams @size bytes produced by @read: it copies up to @max bytes of
 * offset @pos into @buf and returns the count, or -1 on failure (the
 * connection is then closed). @free_cls(@cls) runs when the response is
 * done with, even if it never started. */
typedef long (*reply_reader)(void *cls, uint64_t pos, char *buf, size_t max);
void reply_stream(struct req *r, unsigned status, const char *content_type, uint64_t size,
		  reply_reader read, void *cls, void (*free_cls)(void *));

/* Adds a header to the reply (call before the reply_*). Values are copied. */
void reply_header(struct req *r, const char *name, const char *value);

/* content.c: stored bytes as an answer. */
/* Answers 304 and returns true when the request's If-None-Match names
 * @etag or is "*" (a weak tag compares as a strong one, as RFC 9110 asks
 * of GET); call it once the reply's ETag and caching headers are added. */
bool reply_not_modified(struct req *r, const char *etag);
struct asset_content; /* db_assets.h */
/* Answers with the bytes of @c (a version's file in the blob store),
 * streamed: ETag (its SHA-256) and Cache-Control @cache_control; 304 when
 * If-None-Match names the ETag; a single byte range (Range, unless an
 * If-Range names another ETag) as 206, or 416 when it is past the end;
 * Content-Disposition: attachment with its file name. Answers 500 when
 * out of memory. */
void reply_content(struct req *r, const struct asset_content *c, const char *cache_control);

/* paging.c: lists answered a page at a time. */
/* Reads the "limit" (1..200, default 50) and "cursor" query arguments;
 * on a bad value answers 400 and returns false. @cursor gets the decoded
 * cursor text (empty when absent). */
bool req_page(struct req *r, int *limit, char *cursor, size_t cursorlen);
/* req_page for lists whose cursor the database module makes and reads
 * itself (db_search_cursor): "limit" (1..200, @def when absent) and the
 * cursor as sent in *@cursor (borrowed; NULL when absent or empty). A bad
 * limit, or a cursor holding a NUL byte, is answered with 400 and false
 * returned. */
bool req_page_opaque(struct req *r, int def, int *limit, const char **cursor);
/* req_page for the lists paged by (time, id): a cursor that is not one
 * (keyset_valid) is answered with 400 too. */
bool req_keyset_page(struct req *r, int *limit, char *cursor, size_t cursorlen);
/* req_page for the lists paged by a bigint id: a cursor that is not 1 to
 * 18 digits is answered with 400 too. */
bool req_id_page(struct req *r, int *limit, char *cursor, size_t cursorlen);
/* On DB_OK answers @json (JSON text {"items": [...], ...} made by the
 * database, any other keys kept) with "next_cursor" from @next, as
 * reply_page; else the failure. Takes both strings. */
void reply_db_page(struct req *r, enum db_status st, char *json, char *next);
/* {"items": items, "next_cursor": cursor or null}; @cursor is encoded here. */
void reply_page(struct req *r, json_t *items, const char *cursor);

/* Encodes @text as an opaque cursor (base64url) into @out. */
void cursor_encode(const char *text, char *out, size_t outlen);
/* Decodes; returns false on garbage. */
bool cursor_decode(const char *cursor, char *out, size_t outlen);

/* suspend.c: requests that answer later. */
/* Suspends the request (no thread waits for it) until
 * req_resume, then runs the route's handler again with r->resumed set,
 * to reply. Call from the handler BEFORE handing the request to whatever
 * will resume it; keep what the second run needs in r->state. */
void req_defer(struct req *r);
/* Wakes a deferred request; callable from any thread, once per defer. */
void req_resume(struct req *r);
/* Defers @r (req_defer) and gives the wake that resumes it, for a
 * db_*_submit (db_writer.h): the handler submits and returns, and runs
 * again with r->resumed set once the job is over. Can't fail. */
struct db_wake req_wait(struct req *r);

#endif
