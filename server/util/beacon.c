/* The viewer's engagement beacons: their bodies checked (contract in
 * beacon.h). */
#include "beacon.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "model.h"

static bool fail(struct js_error *e, enum err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(struct js_error *e, enum err code, const char *field, const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	e->field = field;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return false;
}

/* @seen into @b (its pages already read). */
static bool read_seen(const json_t *seen, struct beacon *b, struct js_error *e)
{
	size_t n = json_array_size(seen);
	if (!json_is_array(seen) || n < 1 || n > DB_READ_BEACON_PAGES)
		return fail(e, ERR_INVALID_FIELD, "seen",
			    "seen must be a list of 1 to %d [page, seconds] pairs",
			    DB_READ_BEACON_PAGES);
	for (size_t i = 0; i < n; i++) {
		const json_t *pair = json_array_get(seen, i), *p = json_array_get(pair, 0),
			     *s = json_array_get(pair, 1);
		if (json_array_size(pair) != 2 || !json_is_integer(p) || !json_is_number(s))
			return fail(e, ERR_INVALID_FIELD, "seen",
				    "each of seen is [page, seconds]: an integer and a number");
		json_int_t page = json_integer_value(p);
		double secs = json_number_value(s);
		if (page < 1 || page > b->pages)
			return fail(e, ERR_INVALID_FIELD, "seen",
				    "page %lld is not a page of this %d-page document",
				    (long long)page, b->pages);
		if (!isfinite(secs) || secs <= 0 || secs > DB_READ_CAP_S)
			return fail(e, ERR_INVALID_FIELD, "seen",
				    "seconds must be more than 0 and at most %d", DB_READ_CAP_S);
		b->page[i] = (int)page;
		b->seconds[i] = secs;
	}
	b->n = n;
	return true;
}

/* The fields of @o but "seen" into @b. */
static bool read_fields(const json_t *o, struct beacon *b, struct js_error *e)
{
	/* "seen" is checked apart: the specs do not take lists of pairs. */
	json_t *rest = json_copy((json_t *)(uintptr_t)o);
	if (rest == NULL)
		return fail(e, ERR_INTERNAL, NULL, "out of memory");
	json_object_del(rest, "seen");
	const char *view = NULL;
	long long pages = 0;
	const struct js_field spec[] = {
	    JS_STR("view", &view, JS_REQUIRED, 36, 36),
	    JS_INTEGER("pages", &pages, JS_REQUIRED, 1, DB_READ_PAGES_MAX),
	};
	bool ok = js_parse(rest, spec, sizeof spec / sizeof spec[0], e);
	if (!ok && e->code == ERR_UNKNOWN_FIELD) /* the key of @o, not of the copy */
		e->field =
		    json_object_iter_key(json_object_iter_at((json_t *)(uintptr_t)o, e->field));
	else if (ok && !(ok = uuid_valid(view)))
		fail(e, ERR_INVALID_FIELD, "view", "view must be the page's view id");
	if (ok) {
		snprintf(b->view, sizeof b->view, "%s", view);
		b->pages = (int)pages;
	}
	json_decref(rest);
	return ok;
}

bool beacon_read(const json_t *o, struct beacon *b, struct js_error *e)
{
	struct beacon got;
	if (!json_is_object(o))
		return fail(e, ERR_INVALID_JSON, NULL, "the beacon must be a JSON object");
	if (json_object_get(o, "seen") == NULL)
		return fail(e, ERR_MISSING_FIELD, "seen", "seen is required");
	if (!read_fields(o, &got, e) || !read_seen(json_object_get(o, "seen"), &got, e))
		return false;
	*b = got;
	return true;
}
