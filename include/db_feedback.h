/* Feedback on assets (schema/0013). */
#ifndef NS_DB_FEEDBACK_H
#define NS_DB_FEEDBACK_H
#include <stdbool.h>
#include "db.h"

/* Records @user_id's answer @answer (JSON text of the API's fields,
 * already checked) about asset @asset, replacing their current one (the
 * old one is kept as history). @visible_only: only a published, unexpired
 * asset (reps); DB_NOT_FOUND otherwise. The new answer and the asset's
 * summary as {"feedback", "summary"} in *@json. */
enum db_status db_feedback_give(const char *asset, const char *user_id, bool visible_only,
				const char *answer, char **json);

#endif
