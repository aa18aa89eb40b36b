/* application/x-www-form-urlencoded bodies: what an HTML form posts. */
#ifndef NS_URLFORM_H
#define NS_URLFORM_H
#include <jansson.h>
#include <stddef.h>
#include "error.h"

/* Why a body was refused: ERR_BAD_REQUEST (a bad %-escape, a name that is
 * not UTF-8) or ERR_INVALID_FIELD naming the field (a value that is not
 * UTF-8 or holds a NUL, a name sent twice). */
struct urlform_error {
	enum err code;
	char field[64]; /* "" when no field is at fault */
	char detail[128];
};

/* Decodes @body (@len bytes, as the URL standard's parser does: pairs
 * split on '&', name and value on the first '=', '+' is a space, %XX a
 * byte; empty pairs are skipped) into a new JSON object of strings, for
 * js_parse to check against a spec. Returns it (the caller owns it), or
 * NULL with @e filled (also when out of memory: ERR_INTERNAL). */
json_t *urlform_parse(const char *body, size_t len, struct urlform_error *e);

#endif
