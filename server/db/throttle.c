/* Sign-in throttling: the counts of failed sign-ins (db_throttle.h). */
#include "db_throttle.h"

#include <stdlib.h>
#include "crypto.h"
#include "db_internal.h"

/* A key as the statements take it: hex, or NULL. */
struct hexkey {
	char hex[2 * THROTTLE_KEY_LEN + 1];
};

static const char *hex_of(const unsigned char *key, struct hexkey *out)
{
	if (key == NULL)
		return NULL;
	crypto_hex(key, THROTTLE_KEY_LEN, out->hex);
	return out->hex;
}

static struct db_stmt q_wait =
    DB_STMT("SELECT sign_in_wait(ARRAY[decode($1, 'hex'), decode($2, 'hex')])");

enum db_status db_sign_in_wait(const unsigned char *account, const unsigned char *addr, int *wait_s)
{
	struct hexkey a, b;
	const char *p[] = {hex_of(account, &a), hex_of(addr, &b)};
	enum db_status s;
	PGresult *res = db_query(false, &q_wait, 2, p, &s);
	long long n = 0;
	s = db_integer(res, s, &n);
	*wait_s = (int)n;
	return s;
}

static struct db_stmt q_failed =
    DB_STMT("SELECT sign_in_failed(decode($1, 'hex'), decode($2, 'hex'), $3::uuid)");

enum db_status db_sign_in_failed(const unsigned char *account, const unsigned char *addr,
				 const char *user_id, int *wait_s)
{
	struct hexkey a, b;
	const char *p[] = {hex_of(account, &a), hex_of(addr, &b), user_id};
	enum db_status s;
	PGresult *res = db_write(NULL, &q_failed, 3, p, &s);
	long long n = 0;
	s = db_integer(res, s, &n);
	*wait_s = (int)n;
	return s;
}

static struct db_stmt q_ok = DB_STMT("DELETE FROM sign_in_failures WHERE key = decode($1, 'hex')");

enum db_status db_sign_in_ok(const unsigned char *account)
{
	struct hexkey a;
	const char *p[] = {hex_of(account, &a)};
	enum db_status s;
	PQclear(db_write(NULL, &q_ok, 1, p, &s));
	return s;
}
