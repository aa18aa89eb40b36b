/* What recommendations are chosen from (recommend.c), read from
 * NEXTSTAGE_READ_DATABASE_URL when it is set. */
#ifndef NS_DB_RECOMMEND_H
#define NS_DB_RECOMMEND_H
#include "db.h"

/* The assets that may be recommended for deal @deal (owned by
 * @owner_only when not NULL; else DB_NOT_FOUND): {"stage", "stage_name",
 * "candidates": [{kind (1 proven, 2 untested, 3 no effect, 4 hurts),
 * lift, n, explanation (the stored verdict's words, null without one),
 * recent_shares (90 days), asset}]}, ordered by kind, then best first. */
enum db_status db_deal_candidates(const char *deal, const char *owner_only, char **json);

#endif
