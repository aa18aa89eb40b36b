/* What the next-stage test reads and stores (stagedata.c): its data set
 * in one snapshot, and the verdicts it judged. Reads go to
 * NEXTSTAGE_READ_DATABASE_URL when it is set. */
#ifndef NS_DB_STAGEDATA_H
#define NS_DB_STAGEDATA_H
#include "db.h"
#include "stagetest.h"

/* Loads the test's data: all assets and stages, every spell of a stage
 * without outcome of the deals in scope (those whose personas include
 * @persona, or all), their exposures and every time an asset was given to
 * one of them (the first share during each spell, and before the first
 * stage). @asset and @stage are only checked: the q-values need every row.
 * NULL or "" means no filter; a filter naming nothing is DB_INVALID with
 * @fault. Fills @out (free it with db_stage_data_free, also after a
 * failure). */
enum db_status db_stage_data(const char *asset, const char *stage, const char *persona,
			     struct db_fault *fault, struct st_data *out);
void db_stage_data_free(struct st_data *d);

/* Replaces the stored verdicts with @rows, a JSON array of {asset_id,
 * stage, n, observed, expected, lift, ci_low, ci_high, p_value, q_value,
 * verdict, banded, pending, summary, explanation}. */
enum db_status db_stage_verdicts_save(const char *rows);

#endif
