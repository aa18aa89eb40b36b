/* Declared JSON input parsing. */
#include "json_spec.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool fail(struct js_error *e, enum err code, const char *field, const char *detail)
{
	e->code = code;
	e->field = field;
	snprintf(e->detail, sizeof e->detail, "%s", detail);
	return false;
}

static bool in_choices(const char *s, const char *const *choices)
{
	for (; *choices != NULL; choices++)
		if (strcmp(s, *choices) == 0)
			return true;
	return false;
}

static bool check_string(const json_t *v, const struct js_field *f, struct js_error *e)
{
	size_t len = json_string_length(v);
	char msg[96];
	if ((long long)len < f->min || (long long)len > f->max) {
		snprintf(msg, sizeof msg, "must be %lld to %lld bytes long", f->min, f->max);
		return fail(e, ERR_INVALID_FIELD, f->name, msg);
	}
	return true;
}

/* Checks one present, non-null value and stores it. */
static bool take(const json_t *v, const struct js_field *f, struct js_error *e)
{
	switch (f->type) {
	case JS_STRING:
		if (!json_is_string(v))
			return fail(e, ERR_INVALID_FIELD, f->name, "must be a string");
		if (!check_string(v, f, e))
			return false;
		*(const char **)f->dst = json_string_value(v);
		return true;
	case JS_ENUM:
		if (!json_is_string(v) || !in_choices(json_string_value(v), f->choices)) {
			char msg[160] = "must be one of:";
			for (const char *const *c = f->choices; *c != NULL; c++) {
				strncat(msg, " ", sizeof msg - strlen(msg) - 1);
				strncat(msg, *c, sizeof msg - strlen(msg) - 1);
			}
			return fail(e, ERR_INVALID_FIELD, f->name, msg);
		}
		*(const char **)f->dst = json_string_value(v);
		return true;
	case JS_INT: {
		if (!json_is_integer(v))
			return fail(e, ERR_INVALID_FIELD, f->name, "must be an integer");
		long long x = json_integer_value(v);
		if (x < f->min || x > f->max) {
			char msg[96];
			snprintf(msg, sizeof msg, "must be between %lld and %lld", f->min, f->max);
			return fail(e, ERR_INVALID_FIELD, f->name, msg);
		}
		*(long long *)f->dst = x;
		return true;
	}
	case JS_NUM: {
		if (!json_is_number(v))
			return fail(e, ERR_INVALID_FIELD, f->name, "must be a number");
		double x = json_number_value(v);
		if (x < (double)f->min || x > (double)f->max) {
			char msg[96];
			snprintf(msg, sizeof msg, "must be between %lld and %lld", f->min, f->max);
			return fail(e, ERR_INVALID_FIELD, f->name, msg);
		}
		*(double *)f->dst = x;
		return true;
	}
	case JS_BOOL:
		if (!json_is_boolean(v))
			return fail(e, ERR_INVALID_FIELD, f->name, "must be true or false");
		*(bool *)f->dst = json_is_true(v);
		return true;
	case JS_STRING_ARRAY: {
		if (!json_is_array(v))
			return fail(e, ERR_INVALID_FIELD, f->name, "must be an array of strings");
		size_t n = json_array_size(v);
		if ((long long)n < f->min || (long long)n > f->max) {
			char msg[96];
			snprintf(msg, sizeof msg, "must have %lld to %lld items", f->min, f->max);
			return fail(e, ERR_INVALID_FIELD, f->name, msg);
		}
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
		{
			if (!json_is_string(item) || json_string_length(item) == 0 ||
			    json_string_length(item) > 200)
				return fail(e, ERR_INVALID_FIELD, f->name,
					    "items must be non-empty strings of at most 200 bytes");
		}
		const char **out = f->dst;
		json_array_foreach(v, i, item) out[i] = json_string_value(item);
		out[n] = NULL;
		return true;
	}
	}
	return fail(e, ERR_INTERNAL, f->name, "unknown field type");
}

bool js_parse(const json_t *obj, const struct js_field *spec, size_t n, struct js_error *e)
{
	if (!json_is_object(obj))
		return fail(e, ERR_INVALID_JSON, NULL, "the body must be a JSON object");
	for (size_t i = 0; i < n; i++) {
		const struct js_field *f = &spec[i];
		const json_t *v = json_object_get(obj, f->name);
		if (f->present != NULL)
			*f->present = v != NULL;
		if (v == NULL) {
			if (f->flags & JS_REQUIRED)
				return fail(e, ERR_MISSING_FIELD, f->name, "is required");
			continue;
		}
		if (json_is_null(v)) {
			if (!(f->flags & JS_NULLABLE))
				return fail(e,
					    (f->flags & JS_REQUIRED) ? ERR_MISSING_FIELD
								     : ERR_INVALID_FIELD,
					    f->name, "may not be null");
			if (f->type == JS_STRING || f->type == JS_ENUM)
				*(const char **)f->dst = NULL;
			else if (f->type == JS_NUM)
				*(double *)f->dst = NAN;
			continue;
		}
		if (!take(v, f, e))
			return false;
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)(uintptr_t)obj, key, v)
	{
		bool known = false;
		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(key, spec[i].name) == 0;
		if (!known)
			return fail(e, ERR_UNKNOWN_FIELD, key, "is not a field of this request");
	}
	return true;
}

void js_given(const json_t *obj, const struct js_field *spec, size_t n, const char **out)
{
	for (size_t i = 0; i < n; i++)
		if (json_object_get(obj, spec[i].name) != NULL)
			*out++ = spec[i].name;
	*out = NULL;
}
