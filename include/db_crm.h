/* What the CRM tells us: webhook events (schema/0007), idempotent by the
 * CRM's event id, and the aliases of its stage names. */
#ifndef NS_DB_CRM_H
#define NS_DB_CRM_H
#include <stdbool.h>
#include "db.h"

/* A webhook event, checked by the handler: NULL (NAN for @amount) is
 * absent or null. */
struct crm_event {
	const char *event_id, *external_id;
	/* a slug or a known alias; NULL for a creation event (HubSpot's
	 * deal.creation): an unknown deal starts in the first stage, a known
	 * one is not moved */
	const char *stage;
	const char *stage_field; /* the field the stage came in, to name it when refused */
	const char *at;		 /* RFC 3339; NULL: now */
	const char *name, *account, *owner_email;
	double amount;
	/* What a known deal takes from the event: the names of the fields
	 * among "name", "account", "amount" and "owner" (from owner_email) the
	 * event gives, NULL-terminated; a field given as NULL is cleared. */
	const char *given[5];
};

/* Applies @event: creates the deal if its external_id is unknown (named
 * @event's name or its external_id, with its account, amount and owner)
 * or else writes the fields @event gives to it (audited as any change of
 * a deal, by no user), and records the stage change (source "webhook").
 * An event id seen before changes nothing and sets *@duplicate.
 * DB_INVALID with @fault for an unknown stage or an owner_email no active
 * user has; nothing is kept then, not even the event id. *@json: the
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
