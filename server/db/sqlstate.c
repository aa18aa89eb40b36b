/* The project's SQLSTATEs (db_internal.h has the table): how the SQL
 * functions refuse input, read back into a status and a db_fault. */
#include <string.h>
#include "db_internal.h"
#include "log.h"

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

/* Why @res failed, for the log: SQLSTATE, message, and where. */
static void log_fault(const char *what, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *where = PQresultErrorField(res, PG_DIAG_CONTEXT);
	log_msg("error", "%s %s: %s%s%s", what, state ? state : "?", msg ? msg : "",
		where ? " | " : "", where ? where : "");
}

enum db_status db_fault_from_result(struct db *db, const PGresult *res, const char *const *fields,
				    struct db_fault *f)
{
	bool missing;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	enum db_status s = db_refusal_of(state, &missing);
	if (s != DB_OK) {
		const char *field =
		    db_field_of(PQresultErrorField(res, PG_DIAG_COLUMN_NAME), fields);
		if (field == NULL) {
			log_fault("a refusal naming no known field:", res);
			return DB_ERROR;
		}
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		db_refuse(f, s, field, "%s", msg ? msg : "");
		f->missing = missing;
		return s;
	}
	s = db_error_of(db, res); /* logs what it calls DB_ERROR */
	if (s == DB_OK || s == DB_INVALID || s == DB_CONFLICT || s == DB_NOT_FOUND) {
		log_fault("database error (not a refusal):", res);
		s = DB_ERROR;
	}
	return s;
}
