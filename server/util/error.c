/* The error registry, expanded from errors.def. */
#include "error.h"

#include <string.h>

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

enum err err_of_code(const char *code)
{
	for (unsigned i = 0; code != NULL && i < ERR__COUNT; i++)
		if (strcmp(registry[i].code, code) == 0)
			return (enum err)i;
	return ERR_NONE;
}
