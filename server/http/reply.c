/* Request accessors and replies: everything a handler calls. */
#include "http_internal.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "log.h"

#define PRIV(r)	 ((struct req_private *)(r))
#define CPRIV(r) ((const struct req_private *)(r))

const char *req_param(const struct req *r, unsigned i)
{
	return i < r->match.nparams ? r->match.params[i] : "";
}

const char *req_query(const struct req *r, const char *key)
{
	return MHD_lookup_connection_value(CPRIV(r)->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(CPRIV(r)->conn, MHD_HEADER_KIND, name);
}

void req_client(const struct req *r, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(CPRIV(r)->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)len);
}

const char *req_method(const struct req *r)
{
	return CPRIV(r)->method_name;
}

void req_defer(struct req *r)
{
	PRIV(r)->deferred = 1;
	MHD_suspend_connection(PRIV(r)->conn);
}

void req_resume(struct req *r)
{
	MHD_resume_connection(PRIV(r)->conn);
}

const char *req_body(const struct req *r, size_t *len)
{
	const struct req_private *p = CPRIV(r);
	*len = p->body_len;
	return p->body ? p->body : "";
}

struct collect {
	const char *key;
	json_t *list;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	struct collect *c = cls;
	if (strcmp(key, c->key) == 0 && value != NULL) {
		if (c->list == NULL)
			c->list = json_array();
		json_array_append_new(c->list, json_string(value));
	}
	return MHD_YES;
}

json_t *req_query_list(const struct req *r, const char *key)
{
	struct collect c = {key, NULL};
	MHD_get_connection_values(CPRIV(r)->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
	return c.list;
}

void reply_header(struct req *r, const char *name, const char *value)
{
	struct req_private *p = PRIV(r);
	if (p->nheaders == REPLY_MAX_HEADERS) {
		log_msg("error", "too many reply headers on %s", r->path);
		return;
	}
	p->hdr_name[p->nheaders] = strdup(name);
	p->hdr_value[p->nheaders] = strdup(value);
	p->nheaders++;
}

/* Headers every reply gets, then the handler's. */
static void decorate(struct req_private *p, unsigned status, const char *type, size_t bytes)
{
	p->status = status;
	p->bytes = bytes;
	if (type != NULL)
		MHD_add_response_header(p->response, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(p->response, "X-Content-Type-Options", "nosniff");
	bool cache_set = false;
	for (int i = 0; i < p->nheaders; i++) {
		MHD_add_response_header(p->response, p->hdr_name[i], p->hdr_value[i]);
		cache_set |= strcasecmp(p->hdr_name[i], MHD_HTTP_HEADER_CACHE_CONTROL) == 0;
	}
	if (!cache_set)
		MHD_add_response_header(p->response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

static bool second_reply(struct req_private *p)
{
	if (p->response == NULL)
		return false;
	log_msg("error", "second reply to %s %s ignored", p->method_name, p->req.path);
	return true;
}

/* Takes @body (malloc'd, may be NULL when len is 0). */
static void set_response(struct req_private *p, unsigned status, const char *type, char *body,
			 size_t len)
{
	if (second_reply(p)) {
		free(body);
		return;
	}
	static char empty[1];
	p->response = MHD_create_response_from_buffer(
	    len, body ? body : empty, body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (p->response == NULL) {
		free(body);
		return;
	}
	decorate(p, status, type, len);
}

struct stream {
	reply_reader read;
	void *cls;
	void (*free_cls)(void *);
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	long n = s->read(s->cls, pos, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	s->free_cls(s->cls);
	free(s);
}

void reply_stream(struct req *r, unsigned status, const char *content_type, uint64_t size,
		  reply_reader read, void *cls, void (*free_cls)(void *))
{
	struct req_private *p = PRIV(r);
	struct stream *s = malloc(sizeof *s);
	if (second_reply(p) || s == NULL) {
		free(s);
		free_cls(cls);
		return;
	}
	*s = (struct stream){read, cls, free_cls};
	p->response =
	    MHD_create_response_from_callback(size, 64 * 1024, stream_read, s, stream_free);
	if (p->response == NULL) {
		stream_free(s);
		return;
	}
	decorate(p, status, content_type, (size_t)size);
}

static void reply_json_typed(struct req_private *p, unsigned status, const char *type, json_t *body)
{
	char *text =
	    body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))
		 : NULL;
	json_decref(body);
	if (text == NULL) {
		char *fallback = strdup("{\"status\":500,\"code\":\"internal_error\"}");
		set_response(p, 500, "application/problem+json", fallback,
			     fallback ? strlen(fallback) : 0);
		return;
	}
	set_response(p, status, type, text, strlen(text));
}

void reply_json(struct req *r, unsigned status, json_t *body)
{
	reply_json_typed(PRIV(r), status, "application/json", body);
}

void reply_text(struct req *r, unsigned status, const char *content_type, char *body, size_t len)
{
	set_response(PRIV(r), status, content_type, body, len);
}

void reply_empty(struct req *r, unsigned status)
{
	set_response(PRIV(r), status, NULL, NULL, 0);
}

void reply_problem(struct req_private *p, enum err e, const char *field, const char *detail)
{
	char type[80];
	snprintf(type, sizeof type, "urn:nextstage:problem:%s", err_code(e));
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", err_title(e),
			      "status", (int)err_status(e), "detail",
			      detail && *detail ? detail : err_title(e), "code", err_code(e));
	if (o != NULL && field != NULL)
		json_object_set_new(o, "field", json_string(field));
	reply_json_typed(p, err_status(e), "application/problem+json", o);
}

void reply_error(struct req *r, enum err e, const char *field, const char *fmt, ...)
{
	char detail[512] = "";
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(detail, sizeof detail, fmt, ap);
		va_end(ap);
	}
	reply_problem(PRIV(r), e, field, detail);
}

void reply_fault(struct req *r, enum db_status st, const struct db_fault *f)
{
	if ((st == DB_INVALID || st == DB_CONFLICT) && f != NULL && f->field != NULL)
		reply_error(r,
			    st == DB_CONFLICT ? ERR_CONFLICT
			    : f->missing      ? ERR_MISSING_FIELD
					      : ERR_INVALID_FIELD,
			    f->field, "%s", f->detail);
	else
		reply_db(r, st);
}

void reply_db_json(struct req *r, enum db_status st, const struct db_fault *fault, unsigned status,
		   char *json)
{
	if (st == DB_OK && json != NULL) {
		reply_text(r, status, "application/json", json, strlen(json));
		return;
	}
	free(json);
	reply_fault(r, st == DB_OK ? DB_ERROR : st, fault);
}

void reply_db_page(struct req *r, enum db_status st, char *json, char *next)
{
	json_t *page = st == DB_OK && json ? json_loads(json, 0, NULL) : NULL;
	free(json);
	if (page == NULL)
		reply_db(r, st == DB_OK ? DB_ERROR : st);
	else
		reply_page(r, json_incref(json_object_get(page, "items")), next);
	json_decref(page);
	free(next);
}

void reply_db(struct req *r, enum db_status st)
{
	switch (st) {
	case DB_OK:
		reply_error(r, ERR_INTERNAL, NULL, "no reply was made");
		return;
	case DB_NOT_FOUND:
		reply_error(r, ERR_NOT_FOUND, NULL, NULL);
		return;
	case DB_CONFLICT:
		reply_error(r, ERR_CONFLICT, NULL, NULL);
		return;
	case DB_INVALID:
		reply_error(r, ERR_INVALID_FIELD, NULL, "a value was refused by the database");
		return;
	case DB_UNAVAILABLE:
		reply_header(r, "Retry-After", "5");
		reply_error(r, ERR_DB_UNAVAILABLE, NULL, NULL);
		return;
	case DB_RETRY:
	case DB_ERROR:
		break;
	}
	reply_error(r, ERR_INTERNAL, NULL, NULL);
}

bool req_parse_json(struct req *r, const struct js_field *spec, size_t n)
{
	struct js_error e;
	if (js_parse(r->json, spec, n, &e))
		return true;
	reply_error(r, e.code, e.field, "%s%s%s", e.field ? e.field : "", e.field ? " " : "",
		    e.detail);
	return false;
}

void cursor_encode(const char *text, char *out, size_t outlen)
{
	size_t len = strlen(text);
	if (sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > outlen) {
		out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, outlen, (const unsigned char *)text, len,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool cursor_decode(const char *cursor, char *out, size_t outlen)
{
	size_t len;
	if (outlen == 0 ||
	    sodium_base642bin((unsigned char *)out, outlen - 1, cursor, strlen(cursor), NULL, &len,
			      NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	out[len] = '\0';
	return strlen(out) == len; /* no NUL inside */
}

bool req_query_int(struct req *r, const char *key, int def, int min, int max, int *out)
{
	const char *v = req_query(r, key);
	*out = def;
	if (v == NULL)
		return true;
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || n < min || n > max) {
		reply_error(r, ERR_INVALID_PARAMETER, key, "%s must be an integer from %d to %d",
			    key, min, max);
		return false;
	}
	*out = (int)n;
	return true;
}

bool req_query_filter(struct req *r, const char *key, bool uuid, const char **out)
{
	*out = req_query(r, key);
	if (*out != NULL && (uuid ? !uuid_valid(*out) : !slug_valid(*out))) {
		reply_error(r, ERR_INVALID_PARAMETER, key, "%s is not a valid %s", key,
			    uuid ? "id" : "slug");
		return false;
	}
	return true;
}

bool req_page(struct req *r, int *limit, char *cursor, size_t cursorlen)
{
	size_t clen = 0;
	const char *c = NULL;
	MHD_lookup_connection_value_n(CPRIV(r)->conn, MHD_GET_ARGUMENT_KIND, "cursor", 6, &c,
				      &clen);
	cursor[0] = '\0';
	if (!req_query_int(r, "limit", 50, 1, 200, limit))
		return false;
	if (c != NULL &&
	    (strlen(c) != clen || (*c != '\0' && !cursor_decode(c, cursor, cursorlen)))) {
		reply_error(r, ERR_INVALID_PARAMETER, "cursor",
			    "cursor is not one this server gave");
		return false;
	}
	return true;
}

bool req_keyset_page(struct req *r, int *limit, char *cursor, size_t cursorlen)
{
	if (!req_page(r, limit, cursor, cursorlen))
		return false;
	if (*cursor && !keyset_valid(cursor)) {
		reply_error(r, ERR_INVALID_PARAMETER, "cursor",
			    "cursor is not one this server gave");
		return false;
	}
	return true;
}

void reply_page(struct req *r, json_t *items, const char *cursor)
{
	char enc[512];
	json_t *next = json_null();
	if (cursor != NULL) {
		cursor_encode(cursor, enc, sizeof enc);
		next = json_string(enc);
	}
	reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

void req_private_free(struct req_private *p)
{
	if (p->response != NULL)
		MHD_destroy_response(p->response);
	json_decref(p->req.json);
	free(p->body);
	form_free(p->form);
	if (p->streaming)
		p->req.route->stream->release(&p->req);
	if (p->req.state_free != NULL)
		p->req.state_free(p->req.state);
	for (int i = 0; i < p->nheaders; i++) {
		free(p->hdr_name[i]);
		free(p->hdr_value[i]);
	}
	free(p);
}
