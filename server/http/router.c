/* Route matching: a linear scan of one small static table. Patterns are
 * literal segments and {param} segments; a path matches a pattern when it
 * has the same number of segments and every literal one is equal. */
#include "router.h"

#include <stdio.h>
#include <string.h>

static const struct {
	unsigned bit;
	const char *name;
} methods[] = {
    {M_GET, "GET"},	{M_HEAD, "HEAD"},     {M_POST, "POST"},	      {M_PUT, "PUT"},
    {M_PATCH, "PATCH"}, {M_DELETE, "DELETE"}, {M_OPTIONS, "OPTIONS"},
};

unsigned route_method(const char *name)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(name, methods[i].name) == 0)
			return methods[i].bit;
	return 0;
}

const char *route_allow_header(unsigned allowed, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (!(allowed & methods[i].bit))
			continue;
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", methods[i].name);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* Compares @path with @pattern; on a match copies the params into @m. */
static int match_one(const char *pattern, const char *path, struct route_match *m)
{
	char *out = m->buf;
	unsigned np = 0;
	m->nparams = 0;
	if (strcmp(pattern, "/") == 0) /* the root: one path only */
		return strcmp(path, "/") == 0;
	while (*pattern != '\0' && *path != '\0') {
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++;
		path++;
		if (pattern[0] == '{' &&
		    strstr(pattern, "*}") == pattern + strcspn(pattern, "}") - 1) {
			/* {name*}: the rest of the path, slashes and all, maybe empty */
			if (np == ROUTE_MAX_PARAMS)
				return 0;
			size_t rest = strlen(path);
			memcpy(out, path, rest + 1);
			m->params[np++] = out;
			m->nparams = np;
			return 1;
		}
		size_t seglen = strcspn(path, "/");
		if (seglen == 0)
			return 0; /* empty segment: "//" or a trailing "/" */
		if (*pattern == '{') {
			if (np == ROUTE_MAX_PARAMS)
				return 0;
			memcpy(out, path, seglen);
			out[seglen] = '\0';
			m->params[np++] = out;
			out += seglen + 1;
			pattern += strcspn(pattern, "/");
		} else {
			size_t plen = strcspn(pattern, "/");
			if (plen != seglen || memcmp(pattern, path, seglen) != 0)
				return 0;
			pattern += plen;
		}
		path += seglen;
	}
	if (*pattern != '\0' || *path != '\0')
		return 0;
	m->nparams = np;
	return 1;
}

enum route_result route_match(const struct route *table, size_t n, unsigned method,
			      const char *path, struct route_match *m)
{
	memset(m, 0, sizeof *m);
	if (strlen(path) >= ROUTE_MAX_PATH || path[0] != '/')
		return ROUTE_NOT_FOUND;
	unsigned want = method == M_HEAD ? M_GET : method;
	struct {
		char buf[ROUTE_MAX_PATH];
		size_t offset[ROUTE_MAX_PARAMS];
		unsigned nparams;
		const struct route *route;
		size_t index;
	} found;
	int have = 0;
	for (size_t i = 0; i < n; i++) {
		struct route_match tmp;
		if (!match_one(table[i].pattern, path, &tmp))
			continue;
		m->allowed |= table[i].method;
		if (table[i].method == M_GET)
			m->allowed |= M_HEAD;
		if (!have && table[i].method == want) {
			memcpy(found.buf, tmp.buf, sizeof tmp.buf);
			found.nparams = tmp.nparams;
			for (unsigned k = 0; k < tmp.nparams; k++)
				found.offset[k] = (size_t)(tmp.params[k] - tmp.buf);
			found.route = &table[i];
			found.index = i;
			have = 1;
		}
	}
	if (have) {
		memcpy(m->buf, found.buf, sizeof m->buf);
		m->nparams = found.nparams;
		for (unsigned k = 0; k < found.nparams; k++)
			m->params[k] = m->buf + found.offset[k];
		m->route = found.route;
		m->index = found.index;
		return ROUTE_FOUND;
	}
	return m->allowed ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
