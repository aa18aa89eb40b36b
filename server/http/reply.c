/* Replies: every answer a request gets goes through here, once
 * (headers, bodies, streams, problem+json from the registry, database
 * statuses as answers). */
#include "http_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include "log.h"

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

void reply_bytes(struct req *r, unsigned status, const char *content_type, const void *body,
		 size_t len)
{
	struct req_private *p = PRIV(r);
	if (second_reply(p))
		return;
	p->response =
	    MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (p->response != NULL)
		decorate(p, status, content_type, len);
}

void reply_empty(struct req *r, unsigned status)
{
	set_response(PRIV(r), status, NULL, NULL, 0);
}

static bool has_header(const struct req_private *p, const char *name)
{
	for (int i = 0; i < p->nheaders; i++)
		if (strcasecmp(p->hdr_name[i], name) == 0)
			return true;
	return false;
}

void reply_problem(struct req_private *p, enum err e, const char *field, const char *detail)
{
	/* Every storage_full answer says when to come back, wherever it was
	 * decided (a handler, an upload's stream, a public page). */
	if (e == ERR_STORAGE_FULL && !has_header(p, "Retry-After"))
		reply_header(&p->req, "Retry-After", STORAGE_FULL_RETRY_S);
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
	enum err precise = f != NULL ? err_of_code(f->code) : ERR_NONE;
	if ((st == DB_INVALID || st == DB_CONFLICT) && f != NULL && f->field != NULL)
		reply_error(r,
			    precise != ERR_NONE ? precise
			    : st == DB_CONFLICT ? ERR_CONFLICT
			    : f->missing	? ERR_MISSING_FIELD
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
	case DB_FULL:
		reply_error(r, ERR_STORAGE_FULL, NULL, NULL);
		return;
	case DB_RETRY:
	case DB_ERROR:
		break;
	}
	reply_error(r, ERR_INTERNAL, NULL, NULL);
}
