/* Partition upkeep of the event tables (opens, page views: monthly). */
#ifndef NS_DB_PARTITIONS_H
#define NS_DB_PARTITIONS_H
#include "db.h"

/* Creates this and the next months' partitions of the event tables. */
enum db_status db_partitions_ensure(void);

#endif
