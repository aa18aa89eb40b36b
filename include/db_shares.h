/* Shares, the tracked links reps make (schema/0005): made, listed,
 * revoked. Their opens are db_opens.h. */
#ifndef NS_DB_SHARES_H
#define NS_DB_SHARES_H
#include <stdbool.h>
#include "db.h"
#include "db_assets.h"

/* Shares @asset_id's current version by @rep_id (a rep: @owner_only set
 * to restrict @deal_id to the rep's own deals) under @token. @deal_id,
 * @recipient, @expires_at may be NULL. DB_INVALID with @fault for an
 * asset that is not published (or unexpired) or a deal the rep can't
 * see; DB_CONFLICT (code internal_only) for an internal asset. *@json:
 * the share. */
enum db_status db_share_create(const char *rep_id, const char *owner_only, const char *asset_id,
			       const char *deal_id, const char *channel, const char *recipient,
			       const char *expires_at, const char *token, struct db_fault *fault,
			       char **json);

/* Shares, newest first, of @rep_id (NULL: everyone's) filtered by
 * @asset_id / @deal_id (NULL: any): {"items": [...]} and the cursor after
 * the last one in *@next. */
enum db_status db_share_list(const char *rep_id, const char *asset_id, const char *deal_id,
			     const char *after, int limit, char **json, char **next);

/* Revokes share @id (of @rep_id unless NULL). DB_NOT_FOUND if absent. */
enum db_status db_share_revoke(const char *actor_id, const char *id, const char *rep_id);

#endif
