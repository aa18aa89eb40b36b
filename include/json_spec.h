/* Declared JSON input: a spec array per request body, parsed in one call.
 * Failures name the field and carry the registry code to answer with. */
#ifndef NS_JSON_SPEC_H
#define NS_JSON_SPEC_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include "error.h"

enum js_type { JS_STRING, JS_INT, JS_NUM, JS_BOOL, JS_ENUM, JS_STRING_ARRAY };

#define JS_REQUIRED 1u /* absent -> missing_field */
#define JS_NULLABLE 2u /* null accepted: string dst NULL, *present true */

struct js_field {
	const char *name;
	enum js_type type;
	unsigned flags;
	void *dst; /* const char ** | long long * | double * | bool * | const char ** | const char
		    *[max + 1] */
	bool *present; /* optional: set to whether the key was in the object */
	long long
	    min; /* JS_STRING: min bytes; JS_INT, JS_NUM: min value; JS_STRING_ARRAY: min items */
	long long
	    max; /* JS_STRING: max bytes; JS_INT, JS_NUM: max value; JS_STRING_ARRAY: max items */
	const char *const *choices; /* JS_ENUM: NULL-terminated allowed values */
};

#define JS_STR(n, d, f, lo, hi)                                                                    \
	{                                                                                          \
		(n), JS_STRING, (f), (d), NULL, (lo), (hi), NULL                                   \
	}
#define JS_INTEGER(n, d, f, lo, hi)                                                                \
	{                                                                                          \
		(n), JS_INT, (f), (d), NULL, (lo), (hi), NULL                                      \
	}
#define JS_NUMBER(n, d, f, lo, hi)                                                                 \
	{                                                                                          \
		(n), JS_NUM, (f), (d), NULL, (lo), (hi), NULL                                      \
	}
#define JS_BOOLEAN(n, d, f)                                                                        \
	{                                                                                          \
		(n), JS_BOOL, (f), (d), NULL, 0, 0, NULL                                           \
	}
#define JS_ONE_OF(n, d, f, c)                                                                      \
	{                                                                                          \
		(n), JS_ENUM, (f), (d), NULL, 0, 0, (c)                                            \
	}
#define JS_STR_ARRAY(n, d, f, lo, hi)                                                              \
	{                                                                                          \
		(n), JS_STRING_ARRAY, (f), (d), NULL, (lo), (hi), NULL                             \
	}

struct js_error {
	enum err
	    code; /* ERR_MISSING_FIELD, ERR_INVALID_FIELD, ERR_UNKNOWN_FIELD, ERR_INVALID_JSON */
	const char
	    *field; /* the field at fault (points into the spec or @obj); NULL for the body */
	char detail[160];
};

/* Checks that @obj is an object whose keys are all in @spec, with the
 * declared types and bounds, and stores each value in its dst. String
 * destinations borrow from @obj (valid while it lives); a string array
 * fills its dst array (room for max + 1 pointers) with borrowed strings,
 * NULL-terminated; a nullable number that is null stores NAN. Strings must be valid UTF-8
 * without NUL (jansson guarantees it on load); lengths are in bytes.
 * Returns true, or false with @e filled (the first fault in spec order;
 * unknown keys are checked last). */
bool js_parse(const json_t *obj, const struct js_field *spec, size_t n, struct js_error *e);

/* The names of @spec's fields that @obj has (null or not), in spec order,
 * into @out (room for @n + 1), NULL-terminated: what a patch writes. */
void js_given(const json_t *obj, const struct js_field *spec, size_t n, const char **out);

#endif
