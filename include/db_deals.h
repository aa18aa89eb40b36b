/* Deals and their stage timelines (schema/0004). Inputs are C values
 * already checked by the handler; outputs are the API's JSON made by SQL
 * (schema/functions/deal_json.sql). @owner_only, when not NULL, restricts
 * a call to the deals of that user (reps): others are DB_NOT_FOUND. */
#ifndef NS_DB_DEALS_H
#define NS_DB_DEALS_H
#include "db.h"

/* Where a stage change comes from (deal_stages.source). */
#define DEAL_SOURCE_API "api"

#define DEAL_PERSONAS_MAX 20

/* A deal's fields as the API writes them: NULL (NAN for @amount) is null
 * or absent. A patch writes only the fields named in @given. */
struct deal_fields {
	const char *external_id, *name, *account;
	const char *owner; /* a user id */
	double amount;
	const char *personas[DEAL_PERSONAS_MAX + 1]; /* slugs, NULL-terminated */
	const char *stage, *at; /* create: the stage and since when (RFC 3339) */
	const char *given[10];	/* patch: the field names given, NULL-terminated */
};

/* Creates a deal from @deal (stage required, at default now) owned by its
 * owner or @actor_id. DB_INVALID with @fault for an unknown stage, owner or
 * persona; DB_CONFLICT with @fault for a taken external_id. */
enum db_status db_deal_create(const char *actor_id, const struct deal_fields *deal,
			      struct db_fault *fault, char **json);

enum db_status db_deal_get(const char *id, const char *owner_only, char **json);

/* Writes the fields @patch gives (never the stage: see db_deal_stage). */
enum db_status db_deal_update(const char *actor_id, const char *id, const char *owner_only,
			      const struct deal_fields *patch, struct db_fault *fault, char **json);

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
