/* POST /api/v1/retention/run: an admin runs a retention pass now, with the
 * configured periods (README, "Retention"), and reads what it removed. */
#include <stdlib.h>
#include "handlers.h"
#include "retention.h"

void h_retention_run(struct req *r)
{
	struct db_fault f = {0};
	char *json = NULL;
	enum db_status s = retention_run_now(r->user->id, &json);
	reply_db_json(r, s, &f, 200, json);
}
