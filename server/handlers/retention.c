/* /api/v1/retention: the retention periods in force (README, "Retention"),
 * and a pass an admin runs now, answered with what it removed. */
#include <stdlib.h>
#include "config.h"
#include "handlers.h"
#include "retention.h"

static json_t *days_or_null(unsigned days)
{
	return days == 0 ? json_null() : json_integer(days);
}

void h_retention_get(struct req *r)
{
	reply_json(r, 200,
		   json_pack("{s:o, s:o, s:I}", "events_days",
			     days_or_null(config.retain_events_days), "leads_days",
			     days_or_null(config.retain_leads_days), "every_s",
			     (json_int_t)config.retention_every_s));
}

void h_retention_run(struct req *r)
{
	struct db_fault f = {0};
	char *json = NULL;
	enum db_status s = retention_run_now(r->user->id, &json);
	reply_db_json(r, s, &f, 200, json);
}
