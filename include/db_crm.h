/* What the CRM tells us: webhook events (schema/0007), idempotent by the
 * CRM's event id. */
#ifndef NS_DB_CRM_H
#define NS_DB_CRM_H
#include <stdbool.h>
#include "db.h"

/* A webhook event, checked by the handler: NULL (NAN for @amount) is
 * absent or null. */
struct crm_event {
	const char *event_id, *external_id;
	const char *stage; /* a slug or a known alias */
	const char *at;	   /* RFC 3339; NULL: now */
	const char *name, *account, *owner_email;
	double amount;
};

/* Applies @event: creates the deal if its external_id is unknown (named
 * @event's name or its external_id) and records the stage change (source
 * "webhook"). An event id seen before changes nothing and sets
 * *@duplicate. DB_INVALID with @fault for an unknown stage. *@json: the
 * deal. */
enum db_status db_crm_event(const struct crm_event *event, bool *duplicate, struct db_fault *fault,
			    char **json);

/* Stage aliases (CRM stage name -> stage slug), as {"items": [{alias,
 * stage}]} sorted by alias. */
enum db_status db_aliases_list(char **json);
/* Maps @alias (matched trimmed and case-insensitively) to @stage.
 * DB_INVALID with @fault for an unknown stage. */
enum db_status db_alias_set(const char *actor_id, const char *alias, const char *stage,
			    struct db_fault *fault);
/* DB_NOT_FOUND when there was no such alias. */
enum db_status db_alias_delete(const char *actor_id, const char *alias);

#endif
