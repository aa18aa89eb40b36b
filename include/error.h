/* The error registry (errors.def) as an enum with lookups. */
#ifndef NS_ERROR_H
#define NS_ERROR_H

enum err {
#define X(id, status, code, title) ERR_##id,
#include "errors.def"
#undef X
	ERR__COUNT
};

/* HTTP status, stable snake_case code and human title of @e.
 * Out-of-range values answer as ERR_INTERNAL. These functions can't fail. */
unsigned err_status(enum err e);
const char *err_code(enum err e);
const char *err_title(enum err e);

#endif
