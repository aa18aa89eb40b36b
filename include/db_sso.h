/* Single sign-on's rows (server/db/sso.c): sign-ins under way, and the
 * user a provider's identity signs in as. */
#ifndef NS_DB_SSO_H
#define NS_DB_SSO_H
#include <stdbool.h>
#include "db.h"
#include "model.h"

/* A sign-in under way, as GET /sso/start left it. */
struct sso_attempt {
	char nonce[129];
	char verifier[129];
	char next[1025];
};

/* Records @a under the SHA-256 @state_hash for @ttl_s seconds (and
 * sweeps the expired ones). */
enum db_status db_sso_attempt_create(const unsigned char state_hash[32],
				     const struct sso_attempt *a, int ttl_s);

/* Takes (deletes) the unexpired attempt of @state_hash into @out:
 * DB_NOT_FOUND when there is none (unknown, expired or already taken). */
enum db_status db_sso_attempt_take(const unsigned char state_hash[32], struct sso_attempt *out);

/* What the provider said of the person signing in. */
struct sso_person {
	const char *email; /* matched case-insensitively */
	const char *name;  /* for a new user */
	enum role role;	   /* for a new user */
	const char *issuer;
	const char *subject;
};

/* The user with @p's e-mail, created (no password, @p->role) when there
 * is none (*@created true), and the sign-in audited (entity sign_in,
 * method sso). DB_CONFLICT when that user is deactivated (nothing
 * audited). */
enum db_status db_sso_sign_in(const struct sso_person *p, struct user *out, bool *created);

#endif
