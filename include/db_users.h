/* Users, sessions, and the lookups of credentials. */
#ifndef NS_DB_USERS_H
#define NS_DB_USERS_H
#include <stddef.h>
#include "db.h"
#include "model.h"

#define PWHASH_MAX 128

/* The user with @email (case-insensitive) and their password hash, for
 * login. DB_NOT_FOUND when there is none or the account is inactive. */
enum db_status db_user_for_login(const char *email, struct user *u, char hash[PWHASH_MAX]);

/* Creates a user. DB_CONFLICT when the email is taken. */
enum db_status db_user_create(const char *actor_id, const char *email, const char *name,
			      enum role role, bool board, const char *pwhash, struct user *out);

enum db_status db_user_get(const char *id, struct user *out);

/* Partial update: NULL / ROLE_NONE / negative values leave a field alone.
 * Deactivating a user ends their sessions and revokes their tokens. */
struct user_patch {
	const char *name;
	enum role role;
	int board;  /* -1 keep, 0, 1 */
	int active; /* -1 keep, 0, 1 */
	const char *pwhash;
	const char *email_notifications; /* "none", "each", "daily" or NULL: keep */
	/* with a new password: the session that stays (its digest, 32 bytes),
	 * every other one ends; NULL: every session ends */
	const unsigned char *keep_session;
};
enum db_status db_user_update(const char *actor_id, const char *id, const struct user_patch *p,
			      struct user *out);

/* Up to @limit users ordered by email, after @after_email (NULL: from the
 * start). *out is malloc'd (free it); *n its length. */
enum db_status db_user_list(const char *after_email, int limit, struct user **out, int *n);

enum db_status db_user_count(long *n);

/* Sessions: only the SHA-256 of the token is stored. */
enum db_status db_session_create(const char *user_id, const unsigned char hash[32], int ttl_s);
/* The active user of an unexpired session, and in *valid_s the seconds
 * until it expires. DB_NOT_FOUND otherwise. */
enum db_status db_session_user(const unsigned char hash[32], struct user *u, long *valid_s);
enum db_status db_session_delete(const unsigned char hash[32]);

/* The active user owning the unrevoked API token of digest @hash
 * (*valid_s = -1: tokens do not expire), and the token's id into @id.
 * DB_NOT_FOUND otherwise. (The rest of tokens: db_tokens.h.) */
enum db_status db_token_user(const unsigned char hash[32], struct user *u, long *valid_s,
			     char id[UUID_LEN + 1]);

#endif
