/* Typed values as the text parameters statements take. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

char *db_array(const char *const *v)
{
	if (v == NULL)
		return NULL;
	size_t len = 3;
	for (const char *const *e = v; *e; e++)
		len += 2 * strlen(*e) + 3;
	char *out = malloc(len), *o = out;
	if (out == NULL)
		return NULL;
	*o++ = '{';
	for (const char *const *e = v; *e; e++) {
		if (e != v)
			*o++ = ',';
		*o++ = '"';
		for (const char *c = *e; *c; c++) {
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

const char *db_number(double v, char buf[32])
{
	if (isnan(v))
		return NULL;
	snprintf(buf, 32, "%.15g", v);
	return buf;
}

bool db_given(const char *const *given, const char *name)
{
	for (; *given != NULL; given++)
		if (strcmp(*given, name) == 0)
			return true;
	return false;
}
