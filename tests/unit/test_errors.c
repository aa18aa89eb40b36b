/* The error registry (include/errors.def). */
#include "error.h"
#include "harness.h"

/* Every registry row has a 4xx/5xx status, a snake_case code and a title. */
static void error_registry_is_well_formed(void)
{
	for (int e = 0; e < ERR__COUNT; e++) {
		CHECK(err_status((enum err)e) >= 400 && err_status((enum err)e) < 600);
		const char *code = err_code((enum err)e);
		for (const char *c = code; *c; c++)
			CHECK((*c >= 'a' && *c <= 'z') || *c == '_');
		CHECK(strlen(err_title((enum err)e)) > 0);
		for (int f = e + 1; f < ERR__COUNT; f++)
			CHECK(strcmp(code, err_code((enum err)f)) != 0);
	}
	CHECK(err_status(ERR_NOT_FOUND) == 404);
	CHECK_STR(err_code(ERR_DB_UNAVAILABLE), "db_unavailable");
	CHECK(err_status(ERR_DB_UNAVAILABLE) == 503);
	CHECK_STR(err_code(ERR_STORAGE_FULL), "storage_full");
	CHECK(err_status(ERR_STORAGE_FULL) == 503);
	CHECK(err_status((enum err)9999) == 500);
}

int main(void)
{
	TEST(error_registry_is_well_formed);
	return HARNESS_EXIT();
}
