/* Partition upkeep: the event tables (opens, page views) are
 * partitioned by month; the months ahead are made before they begin. */
#include "db_partitions.h"

#include "db_internal.h"

static struct db_stmt q_partitions = DB_STMT("SELECT ensure_month_partitions('opens', now(), 3),"
					     " ensure_month_partitions('page_views', now(), 3)");

enum db_status db_partitions_ensure(void)
{
	enum db_status s;
	PQclear(db_write(NULL, &q_partitions, 0, NULL, &s));
	return s;
}
