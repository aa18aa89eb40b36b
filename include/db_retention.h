/* Retention of raw personal events in the database (README, "Retention";
 * schema/functions/retention_rows.sql). */
#ifndef NS_DB_RETENTION_H
#define NS_DB_RETENTION_H
#include "db.h"

/* The rows a pass removed, by table. */
struct db_retention {
	long long opens, page_views, downloads, leads, lead_deliveries;
};

/* Runs one retention pass, audited as @actor_id's (NULL: the server's
 * own): opens, page views and downloads older than @events_days days and
 * leads older than @leads_days (0: kept forever). Two transactions: the
 * rows removed one by one, then whole months; when the second fails, the
 * first stays done (and audited) and the months wait for the next pass.
 * *@json, malloc'd: what retention_months() answers; @out: its counts. The
 * pass waits for one running elsewhere to end. */
enum db_status db_retention_run(const char *actor_id, unsigned events_days, unsigned leads_days,
				struct db_retention *out, char **json);

#endif
