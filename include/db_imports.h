/* Deal imports: rows of deals and stage changes, each applied by
 * schema/functions/import_deal_row.sql. */
#ifndef NS_DB_IMPORTS_H
#define NS_DB_IMPORTS_H
#include "db.h"

/* Imports @rows (JSON array text of row objects, see import_deal_row())
 * in one transaction as @actor_id, each row in a subtransaction; then
 * calls @each(@cls, i, outcome) for every row in order, outcome being
 * "created", "updated", "transition", "unchanged" or
 * "error:<field>:<message>". */
enum db_status db_import_batch(const char *actor_id, const char *rows,
			       void (*each)(void *cls, int i, const char *outcome), void *cls);

#endif
