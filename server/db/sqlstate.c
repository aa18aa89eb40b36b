/* The project's SQLSTATEs (db_internal.h has the table): how the SQL
 * functions refuse input, read back into a status and a db_fault. */
#include <string.h>
#include "db_internal.h"

enum db_status db_refusal_of(const char *state, bool *missing)
{
	*missing = false;
	if (state == NULL)
		return DB_OK;
	if (strcmp(state, DB_SQLSTATE_NOT_FOUND) == 0)
		return DB_NOT_FOUND;
	if (strcmp(state, DB_SQLSTATE_INVALID) == 0)
		return DB_INVALID;
	if (strcmp(state, DB_SQLSTATE_MISSING) == 0) {
		*missing = true;
		return DB_INVALID;
	}
	return DB_OK;
}

const char *db_field_of(const char *name, const char *const *fields)
{
	for (; name != NULL && *fields != NULL; fields++)
		if (strcmp(*fields, name) == 0)
			return *fields;
	return NULL;
}
