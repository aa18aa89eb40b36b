/* Outgoing webhooks (schema/0030_outbox.sql): admins' subscriptions to
 * events. Outputs are the API's JSON made by SQL (webhook_json), never
 * the secret. */
#ifndef NS_DB_WEBHOOKS_H
#define NS_DB_WEBHOOKS_H
#include <stdbool.h>
#include <stddef.h>
#include "db.h"

/* What a webhook is made of or changed to; NULL (or @events NULL) keeps
 * a field in an update. @events is NULL-terminated. */
struct webhook_fields {
	const char *url, *format, *label;
	const char *const *events;
	const char *active; /* "t" or "f" */
};

/* Stores a webhook made by @actor with @secret (@len bytes as stored: a
 * crypto_seal box when @sealed). *@json: the webhook. */
enum db_status db_webhook_create(const char *actor, const struct webhook_fields *f,
				 const unsigned char *secret, size_t len, bool sealed, char **json);

/* Changes webhook @id's fields given in @f. DB_NOT_FOUND when none. */
enum db_status db_webhook_update(const char *actor, const char *id, const struct webhook_fields *f,
				 char **json);

/* Deletes webhook @id and its deliveries. DB_NOT_FOUND when none. */
enum db_status db_webhook_delete(const char *actor, const char *id);

/* {"items": [...]}: every webhook, by label. */
enum db_status db_webhook_list(char **json);

/* Queues a "ping" event for webhook @id alone (and lifts its hold), so
 * an admin sees at once whether the receiver takes it. *@json: the
 * delivery. DB_NOT_FOUND when there is no such webhook. */
enum db_status db_webhook_ping(const char *actor, const char *id, char **json);

#endif
