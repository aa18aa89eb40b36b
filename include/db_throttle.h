/* Sign-in throttling (README, "Signing in"; the rules are in
 * schema/functions/sign_in_failed.sql): failed sign-ins counted per
 * account and per client address in the database, so that every server
 * process sees them. Keys are THROTTLE_KEY_LEN-byte keyed hashes (the
 * account's: sign_in_account_key); NULL is "not counted". */
#ifndef NS_DB_THROTTLE_H
#define NS_DB_THROTTLE_H
#include "db.h"

#define THROTTLE_KEY_LEN 32

/* The seconds a sign-in for @account from @addr must wait (0: it may go
 * now) in *@wait_s. */
enum db_status db_sign_in_wait(const unsigned char *account, const unsigned char *addr,
			       int *wait_s);

/* Counts a failed sign-in for both keys; a count that reaches its lock
 * locks the key, audited against @user_id (the account's user, NULL when
 * there is none). The wait now due in *@wait_s. */
enum db_status db_sign_in_failed(const unsigned char *account, const unsigned char *addr,
				 const char *user_id, int *wait_s);

/* A sign-in succeeded: the account's count is forgotten. */
enum db_status db_sign_in_ok(const unsigned char *account);

#endif
