/* The error registry, expanded from errors.def. */
#include "error.h"

static const struct {
	unsigned status;
	const char *code;
	const char *title;
} registry[] = {
#define X(id, status, code, title) {status, code, title},
#include "errors.def"
#undef X
};

static unsigned index_of(enum err e)
{
	return (unsigned)e < ERR__COUNT ? (unsigned)e : (unsigned)ERR_INTERNAL;
}

unsigned err_status(enum err e)
{
	return registry[index_of(e)].status;
}

const char *err_code(enum err e)
{
	return registry[index_of(e)].code;
}

const char *err_title(enum err e)
{
	return registry[index_of(e)].title;
}
