/* The router (include/router.h) over the real route table
 * (server/http/routes.c), as a request line reaches it: a method name and
 * a path of any bytes. The input: the method up to the first space, then
 * the path (up to a NUL, as the server hands it over).
 *
 * Checked: a found route has the method asked for (GET for HEAD) and a
 * pattern whose literal segments are the path's, each parameter is one
 * non-empty segment (a last {name*} the rest of the path) copied into the
 * match, and the Allow header lists the methods of every route of the
 * path; a path that is not found has no method allowed. */
#include <string.h>
#include "fuzz.h"
#include "router.h"

/* Rebuilds the path from @pattern and the match's parameters: it must be
 * @path again. */
static void check_params(const char *pattern, const char *path, const struct route_match *m)
{
	char back[ROUTE_MAX_PATH + 1];
	size_t o = 0;
	unsigned k = 0;
	for (const char *p = pattern; *p;) {
		if (*p != '{') {
			FUZZ_CHECK(o < ROUTE_MAX_PATH);
			back[o++] = *p++;
			continue;
		}
		const char *close = strchr(p, '}');
		FUZZ_CHECK(close != NULL && k < m->nparams);
		const char *v = m->params[k++];
		FUZZ_CHECK(v >= m->buf && v < m->buf + sizeof m->buf);
		size_t n = strlen(v);
		bool rest = close[-1] == '*';
		FUZZ_CHECK(rest || (n > 0 && strchr(v, '/') == NULL));
		FUZZ_CHECK(o + n <= ROUTE_MAX_PATH);
		memcpy(back + o, v, n);
		o += n;
		p = close + 1;
	}
	back[o] = '\0';
	FUZZ_CHECK(k == m->nparams);
	FUZZ_CHECK(strcmp(back, path) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sp = memchr(data, ' ', size);
	if (sp == NULL)
		return 0;
	size_t mlen = (size_t)(sp - (const char *)data), plen = size - mlen - 1;
	char *method = malloc(mlen + 1), *path = malloc(plen + 1);
	if (method == NULL || path == NULL)
		goto out;
	memcpy(method, data, mlen);
	method[mlen] = '\0';
	memcpy(path, sp + 1, plen);
	path[plen] = '\0';

	unsigned bit = route_method(method);
	FUZZ_CHECK(bit == 0 || (bit & (bit - 1)) == 0);
	static struct route_match m; /* 2 KiB and more: not on the stack */
	enum route_result res = route_match(routes, routes_count, bit, path, &m);
	char allow[128];
	route_allow_header(m.allowed, allow, sizeof allow);
	FUZZ_CHECK(strlen(allow) < sizeof allow);
	char tiny[8];
	route_allow_header(m.allowed, tiny, sizeof tiny);
	FUZZ_CHECK(strlen(tiny) < sizeof tiny);
	switch (res) {
	case ROUTE_FOUND:
		FUZZ_CHECK(m.route != NULL && m.index < routes_count &&
			   m.route == &routes[m.index]);
		FUZZ_CHECK(m.route->method == (bit == M_HEAD ? M_GET : bit));
		FUZZ_CHECK(m.allowed & bit);
		FUZZ_CHECK(m.nparams <= ROUTE_MAX_PARAMS);
		check_params(m.route->pattern, path, &m);
		break;
	case ROUTE_BAD_METHOD:
		FUZZ_CHECK(m.route == NULL && m.allowed != 0 && !(m.allowed & bit));
		break;
	case ROUTE_NOT_FOUND:
		FUZZ_CHECK(m.route == NULL && m.allowed == 0);
		break;
	default:
		FUZZ_CHECK(!"a result route_match does not return");
	}
	/* Every route with this path is listed in Allow, and none other. */
	unsigned all = 0;
	for (size_t i = 0; i < routes_count; i++) {
		static struct route_match one;
		if (route_match(&routes[i], 1, routes[i].method, path, &one) == ROUTE_FOUND)
			all |= routes[i].method | (routes[i].method == M_GET ? M_HEAD : 0);
	}
	FUZZ_CHECK(m.allowed == all);
out:
	free(method);
	free(path);
	return 0;
}
