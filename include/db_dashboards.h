/* The dashboards (dashboards.c), each one statement over the rollups
 * answering the API's JSON in *@json (malloc'd), read from
 * NEXTSTAGE_READ_DATABASE_URL when it is set; and the fold that keeps the
 * rollups current (on the primary). */
#ifndef NS_DB_DASHBOARDS_H
#define NS_DB_DASHBOARDS_H
#include "db.h"

/* Published assets flagged unused (README, Analytics: "Unused") and a
 * summary. */
enum db_status db_unused(int days, int grace_days, char **json);
/* The unused percentage (as db_unused's summary) at the end of each
 * @group ("week" or "month") of the days @from to @to (YYYY-MM-DD,
 * inclusive), the period under way ending now. */
enum db_status db_unused_trend(int days, int grace_days, const char *from, const char *to,
			       const char *group, char **json);
/* Every persona x stage cell, and the frequent recent zero-result searches
 * (each with the newest content request of its words). */
enum db_status db_coverage(char **json);
/* Usage between the days @from and @to (YYYY-MM-DD, inclusive) per @group
 * ("day", "week" or "month"). */
enum db_status db_usage(const char *from, const char *to, const char *group, char **json);

/* Folds the shares and opens that are safe to fold into the usage rollups
 * (schema/functions/analytics_fold.sql). */
enum db_status db_analytics_fold(void);

#endif
