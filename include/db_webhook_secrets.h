/* The secrets that sign incoming webhooks (schema/0018), managed by
 * admins: kind "crm" (X-Nextstage-Signature) and "hubspot" (a HubSpot
 * app's client secret). A secret is live until it is revoked or its
 * expiry passes; outputs are the API's JSON made by SQL
 * (schema/functions/webhook_secret_json.sql), never the secret. */
#ifndef NS_DB_WEBHOOK_SECRETS_H
#define NS_DB_WEBHOOK_SECRETS_H
#include <stdbool.h>
#include <stddef.h>
#include "db.h"

/* Live secrets a kind may have at once. */
#define WEBHOOK_SECRETS_MAX 100

/* A secret to store: @bytes as kept in the database (a crypto_seal box
 * when @sealed, else the secret itself). @generated: the server made the
 * secret (a HubSpot client secret cannot be made here). */
struct webhook_secret_new {
	const char *kind, *label; /* ignored by a rotation: the old one's */
	const unsigned char *bytes;
	size_t len;
	bool sealed, generated;
};

/* Stores @w, made by @actor_id. DB_CONFLICT with @fault (label) when a
 * current secret of the kind has the label or the kind has
 * WEBHOOK_SECRETS_MAX live ones. *@json: the secret as listed. */
enum db_status db_webhook_secret_create(const char *actor_id, const struct webhook_secret_new *w,
					struct db_fault *fault, char **json);

/* Replaces live secret @id by @w (same kind and label): @id expires
 * @overlap_s seconds from now (0: at once), so until then both verify.
 * DB_NOT_FOUND when @id is not live; DB_CONFLICT with @fault when it was
 * rotated already; DB_INVALID with @fault (secret, missing) when @w was
 * generated for a HubSpot secret. *@json: the new secret, *@previous: the
 * old one, as listed. */
enum db_status db_webhook_secret_rotate(const char *actor_id, const char *id,
					const struct webhook_secret_new *w, long overlap_s,
					struct db_fault *fault, char **json, char **previous);

/* Revokes live secret @id at once and wipes its value. DB_NOT_FOUND when
 * it is not live. */
enum db_status db_webhook_secret_revoke(const char *actor_id, const char *id);

/* {"items": [...]}: the live secrets, of @kind and with @label when not
 * NULL, by label, kind and age. */
enum db_status db_webhook_secret_list(const char *kind, const char *label, char **json);

/* The stored bytes of one live secret, for a signature check. */
struct webhook_key {
	unsigned char *bytes; /* malloc'd */
	size_t len;
	bool sealed;
};
/* The live secrets of @kind (up to WEBHOOK_SECRETS_MAX, newest first)
 * into *@keys (malloc'd, *@n of them; free with db_webhook_keys_free),
 * read from the primary each time so a change holds at once. */
enum db_status db_webhook_keys(const char *kind, struct webhook_key **keys, size_t *n);
void db_webhook_keys_free(struct webhook_key *keys, size_t n);

#endif
