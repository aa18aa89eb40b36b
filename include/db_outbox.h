/* The outbox (schema/0030_outbox.sql): deliveries of events to webhooks
 * and of notifications by e-mail, claimed and settled by the delivery
 * worker (deliver.h), listed and redelivered by admins. Events are put in
 * by the database itself (schema/functions/outbox_*.sql), in the
 * transaction of the change they report. */
#ifndef NS_DB_OUTBOX_H
#define NS_DB_OUTBOX_H
#include <stdbool.h>
#include <stddef.h>
#include "db.h"

/* The target of e-mails: the SMTP relay. */
#define OUTBOX_SMTP_TARGET "00000000-0000-0000-0000-000000000000"

/* A delivery claimed for sending: a webhook post (@url set) or an e-mail
 * (@email_to set). Strings malloc'd (db_outbox_claim_clear). */
struct outbox_claim {
	long long id;
	char *event_id, *kind, *target;
	char *url;	       /* webhook: where to post */
	char *body;	       /* webhook: the JSON body ({id, type, created_at, data} or {text}) */
	unsigned char *secret; /* webhook: the stored secret (sealed when @sealed) */
	size_t secret_len;
	bool sealed;
	char *email_to, *email_name, *subject, *text; /* e-mail */
	long long created;			      /* the event's time, Unix seconds */
};

/* Claims up to @max due deliveries, at most @per_target in flight per
 * target over every server (one while a target is failing), none of a
 * target held after failures, e-mails only when @smtp. Each is leased for
 * @lease_s seconds: a server that dies leaves it due again after that.
 * Fills *@out (a malloc'd array of *@n: clear each, free the array). */
enum db_status db_outbox_claim(int max, int per_target, bool smtp, double lease_s,
			       struct outbox_claim **out, size_t *n);
/* Frees what @c holds (not @c). */
void db_outbox_claim_clear(struct outbox_claim *c);

/* Gives claimed delivery @id back unsent (a server stopping): due again
 * at once, its target not held. */
enum db_status db_outbox_release(long long id);

/* How a claimed delivery's try went: delivered (@ok), else failed with
 * @error (a sentence) and the HTTP or SMTP @status (0: none). */
struct outbox_outcome {
	long long id;
	const char *target, *error;
	int status;
	bool ok;
};

/* Settles the @n claimed deliveries of @o in one transaction. A failure
 * holds its target for a backoff that grows with its failures in a row
 * (@base_s doubling up to @max_s, with jitter). */
enum db_status db_outbox_settle(const struct outbox_outcome *o, size_t n, double base_s,
				double max_s);

/* Housekeeping: parks as failed the deliveries still not made @retry_s
 * seconds after their run of tries began, deletes those delivered more
 * than @keep_s seconds ago, and queues the daily digests due (every
 * @digest_s seconds per user). *@parked: deliveries parked now. */
enum db_status db_outbox_sweep(double retry_s, double keep_s, double digest_s, long long *parked);

/* {"items": [...]} newest first: deliveries, of @state, of webhook
 * @webhook_id or of @channel ("webhook" or "email") when not NULL, after
 * cursor @after (an id); *@next the next page's cursor or NULL. */
enum db_status db_outbox_list(const char *state, const char *webhook_id, const char *channel,
			      const char *after, int limit, char **json, char **next);

/* Sends delivery @id again as soon as its target is free (its run of
 * tries starts anew, same event id), by @actor. *@json the delivery.
 * DB_NOT_FOUND when there is none; DB_CONFLICT when it is pending. */
enum db_status db_outbox_redeliver(const char *actor, const char *id, char **json);

#endif
