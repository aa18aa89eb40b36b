/* The audit trail (schema/functions/audit_row.sql: every change to
 * an audited table, with its actor, before and after). */
#ifndef NS_DB_AUDIT_H
#define NS_DB_AUDIT_H
#include <stdbool.h>
#include "db.h"

/* A page of audit entries, newest first: {"items": [...]} in *@json and
 * in *@next the cursor after its last item (NULL at the end). @entity (a
 * table name) and @id (the row's key as text) filter when not NULL;
 * @decided_asset: nothing unless @id is an asset that is not a draft
 * (what a board member may read); @after is a previous page's cursor or
 * NULL. */
enum db_status db_audit_list(const char *entity, const char *id, bool decided_asset,
			     const char *after, int limit, char **json, char **next);

#endif
