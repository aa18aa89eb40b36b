/* application/x-www-form-urlencoded decoding. */
#include "urlform.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(struct urlform_error *e, enum err code, const char *field, const char *detail)
{
	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	snprintf(e->detail, sizeof e->detail, "%s", detail);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes the @len bytes of @s into @out (room for @len + 1, NUL added);
 * the decoded length in *@outlen. False on a bad %-escape. */
static bool decode(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] != '%') {
			out[o++] = s[i];
		} else {
			int hi = i + 2 < len ? hex(s[i + 1]) : -1, lo = hi < 0 ? -1 : hex(s[i + 2]);
			if (lo < 0)
				return false;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		}
	}
	out[o] = '\0';
	*outlen = o;
	return true;
}

/* @s (@len bytes) as a JSON string, NULL unless UTF-8 text without NUL. */
static json_t *text(const char *s, size_t len)
{
	return strlen(s) == len ? json_stringn(s, len) : NULL;
}

/* Adds the pair of @p..@stop to @obj; false with @e filled. */
static bool add_pair(json_t *obj, const char *p, const char *stop, char *name, char *value,
		     struct urlform_error *e)
{
	const char *eq = memchr(p, '=', (size_t)(stop - p));
	const char *v = eq ? eq + 1 : stop;
	size_t nlen, vlen;
	if (!decode(p, (size_t)((eq ? eq : stop) - p), name, &nlen) ||
	    !decode(v, (size_t)(stop - v), value, &vlen)) {
		fail(e, ERR_BAD_REQUEST, NULL, "a %-escape is malformed");
		return false;
	}
	json_t *n = text(name, nlen);
	json_decref(n);
	if (n == NULL) {
		fail(e, ERR_BAD_REQUEST, NULL, "a field name is not UTF-8 text");
		return false;
	}
	if (json_object_get(obj, name) != NULL) {
		fail(e, ERR_INVALID_FIELD, name, "was sent twice");
		return false;
	}
	json_t *s = text(value, vlen);
	if (s == NULL) {
		fail(e, ERR_INVALID_FIELD, name, "must be UTF-8 text without NUL");
		return false;
	}
	if (json_object_set_new(obj, name, s) != 0) {
		fail(e, ERR_INTERNAL, NULL, "out of memory");
		return false;
	}
	return true;
}

json_t *urlform_parse(const char *body, size_t len, struct urlform_error *e)
{
	json_t *obj = json_object();
	char *name = malloc(len + 1), *value = malloc(len + 1);
	bool ok = obj != NULL && name != NULL && value != NULL;
	if (!ok)
		fail(e, ERR_INTERNAL, NULL, "out of memory");
	const char *end = body + len;
	for (const char *p = body; ok && p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		if (stop > p) /* empty pairs are skipped */
			ok = add_pair(obj, p, stop, name, value, e);
		p = stop + 1;
	}
	free(name);
	free(value);
	if (!ok) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}
