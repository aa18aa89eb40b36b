/* The request accessors: what a handler reads of its request (path
 * parameters, query, headers, the client's address, the body), the
 * query parameters that answer 400 themselves, the JSON spec parse, and
 * the request context's end. */
#include "http_internal.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "db_keys.h"

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

bool req_accepts_gzip(const struct req *r)
{
	const char *ae = req_header(r, "Accept-Encoding");
	const char *p = ae ? strcasestr(ae, "gzip") : NULL;
	if (p == NULL)
		return false;
	p += 4;
	p += strspn(p, " ");
	if (strncmp(p, ";q=0", 4) == 0 && strspn(p + 4, ".0") == strcspn(p + 4, ", "))
		return false; /* gzip;q=0 */
	return true;
}

const char *req_target(const struct req *r)
{
	return CPRIV(r)->uri;
}

void req_client(const struct req *r, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(CPRIV(r)->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	out[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL)
		return;
	const struct sockaddr *sa = ci->client_addr;
	char peer[INET6_ADDRSTRLEN] = "";
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
			  sizeof peer);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  peer, sizeof peer);
	netaddr_client(&config.trusted_proxies, peer, req_header(r, "X-Forwarded-For"), out, len);
}

const char *req_method(const struct req *r)
{
	return CPRIV(r)->method_name;
}

void req_visitor(const struct req *r, struct visitor *v)
{
	char addr[64];
	unsigned char key[32];
	bool keyed = db_client_key(key) == DB_OK;
	req_client(r, addr, sizeof addr);
	visitor_classify(v, req_method(r), req_header(r, "User-Agent"), addr, keyed ? key : NULL);
}

/* A block of req_state_new: its clear function, then its bytes. */
struct state_block {
	void (*clear)(void *block);
	max_align_t bytes[];
};

static void state_free(void *p)
{
	struct state_block *b =
	    (struct state_block *)((char *)p - offsetof(struct state_block, bytes));
	if (b->clear != NULL)
		b->clear(p);
	free(b);
}

void *req_state_new(struct req *r, size_t size, void (*clear)(void *block))
{
	struct state_block *b = calloc(1, sizeof *b + size);
	if (b == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return NULL;
	}
	b->clear = clear;
	r->state = b->bytes;
	r->state_free = state_free;
	return b->bytes;
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

bool req_parse_json(struct req *r, const struct js_field *spec, size_t n)
{
	struct js_error e;
	if (js_parse(r->json, spec, n, &e))
		return true;
	reply_error(r, e.code, e.field, "%s%s%s", e.field ? e.field : "", e.field ? " " : "",
		    e.detail);
	return false;
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
