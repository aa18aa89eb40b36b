/* Deals and their stage timelines (schema/0004). Like assets, inputs are
 * JSON objects already checked by the handler, outputs are the API's JSON
 * made by SQL (schema/functions/deal_json.sql). @owner_only, when not NULL, restricts a call
 * to the deals of that user (reps): others are DB_NOT_FOUND. */
#ifndef NS_DB_DEALS_H
#define NS_DB_DEALS_H
#include "db.h"

/* Where a stage change comes from (deal_stages.source). */
#define DEAL_SOURCE_API "api"

/* Creates a deal from @deal (fields of the API; "stage" required, "at" the
 * time it entered that stage, default now) owned by its "owner" or
 * @actor_id. DB_INVALID with @fault for an unknown stage, owner or
 * persona; DB_CONFLICT with @fault for a taken external_id. */
enum db_status db_deal_create(const char *actor_id, const char *deal, struct db_fault *fault,
			      char **json);

enum db_status db_deal_get(const char *id, const char *owner_only, char **json);

/* Applies @patch (present keys only; "stage" is not among them). */
enum db_status db_deal_update(const char *actor_id, const char *id, const char *owner_only,
			      const char *patch, struct db_fault *fault, char **json);

/* Records that deal @id was in @stage from @at (RFC 3339; NULL: now) on,
 * as said by @source. DB_INVALID with @fault for an unknown stage. */
enum db_status db_deal_stage(const char *actor_id, const char *id, const char *owner_only,
			     const char *stage, const char *at, const char *source,
			     struct db_fault *fault, char **json);

/* A page of deals, newest first: {"items": [...]} in *@json and in *@next
 * the cursor after its last item (NULL at the end). Filters: @owner (a
 * user id) or NULL, @stage or NULL, @q (words in name or account) or "". */
enum db_status db_deal_list(const char *owner, const char *stage, const char *q, const char *after,
			    int limit, char **json, char **next);

#endif
