/* Retention of raw personal events (README, "Retention"): the passes the
 * server runs by itself every NEXTSTAGE_RETENTION_EVERY_S seconds, the one
 * an admin asks for, and what they removed, for /metrics. */
#ifndef NS_RETENTION_H
#define NS_RETENTION_H
#include "db.h"

/* Starts the thread of the periodic passes: the first a minute after the
 * start (or sooner when the period is shorter), then one per period. Does
 * nothing (and returns 0) when retention is off or NEXTSTAGE_RETENTION_EVERY_S
 * is 0. Returns -1 when the thread did not start. */
int retention_start(void);

/* Stops that thread, waiting for a pass under way. */
void retention_stop(void);

/* Runs a pass now with the configured periods, audited as @actor_id's.
 * *@json, malloc'd, is what it removed (db_retention_run). */
enum db_status retention_run_now(const char *actor_id, char **json);

/* Rows removed by this process's passes since it started, by table. */
struct retention_stats {
	unsigned long opens, page_views, downloads, leads, lead_deliveries, passes;
};
void retention_stats(struct retention_stats *out);

#endif
