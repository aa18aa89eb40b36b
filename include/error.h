/* The error registry (errors.def) as an enum with lookups. */
#ifndef NS_ERROR_H
#define NS_ERROR_H

enum err {
	/* "no error": what a step that can refuse answers when it did not;
	 * not a row of the registry (it has no status, code or title) */
	ERR_NONE = -1,
#define X(id, status, code, title) ERR_##id,
#include "errors.def"
#undef X
	ERR__COUNT /* the number of rows, not an error */
};

/* HTTP status, stable snake_case code and human title of @e.
 * ERR_NONE and out-of-range values answer as ERR_INTERNAL. These
 * functions can't fail. */
unsigned err_status(enum err e);
const char *err_code(enum err e);
const char *err_title(enum err e);

/* The row whose stable code is @code; ERR_NONE for none (or NULL). */
enum err err_of_code(const char *code);

#endif
