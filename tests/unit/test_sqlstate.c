/* The project's SQLSTATEs as the database layer reads them
 * (server/db/sqlstate.c). */
#include "../../server/db/db_internal.h"
#include "harness.h"

/* NS001 is a missing row, NS002 a wrong value, NS003 a missing field;
 * anything else, PostgreSQL's own included, is no refusal. */
static void sqlstates_map_to_statuses(void)
{
	bool missing = true;
	CHECK(db_refusal_of("NS001", &missing) == DB_NOT_FOUND && !missing);
	CHECK(db_refusal_of("NS002", &missing) == DB_INVALID && !missing);
	CHECK(db_refusal_of("NS003", &missing) == DB_INVALID && missing);
	CHECK(db_refusal_of("22007", &missing) == DB_OK && !missing);
	CHECK(db_refusal_of("23514", &missing) == DB_OK);
	CHECK(db_refusal_of("NS00", &missing) == DB_OK);
	CHECK(db_refusal_of("NS0011", &missing) == DB_OK);
	CHECK(db_refusal_of(NULL, &missing) == DB_OK);
}

/* A field SQL names is one of the caller's, by identity, or none. */
static void fields_are_the_callers(void)
{
	static const char *const fields[] = {"at", "asset_id", NULL};
	CHECK(db_field_of("asset_id", fields) == fields[1]);
	CHECK(db_field_of("at", fields) == fields[0]);
	CHECK(db_field_of("Asset_id", fields) == NULL);
	CHECK(db_field_of("", fields) == NULL);
	CHECK(db_field_of(NULL, fields) == NULL);
}

int main(void)
{
	TEST(sqlstates_map_to_statuses);
	TEST(fields_are_the_callers);
	return HARNESS_EXIT();
}
