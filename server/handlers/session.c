/* Signing in (throttled: db_throttle.h) and out, the current user (API
 * tokens: tokens.c). */
#include <stdio.h>
#include <string.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "db_keys.h"
#include "db_throttle.h"
#include "db_users.h"
#include "handlers.h"

json_t *user_json(const struct user *u)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s}", "id", u->id, "email", u->email,
			 "name", u->name, "role", role_name(u->role), "board", u->board, "active",
			 u->active, "created_at", u->created_at);
}

static void set_cookie(struct req *r, const char *value, int max_age)
{
	char c[256];
	bool secure = strncmp(config.public_url, "https://", 8) == 0;
	snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s", SESSION_COOKIE,
		 value, max_age, secure ? "; Secure" : "");
	reply_header(r, "Set-Cookie", c);
}

/* The throttle's key of the account @email: a keyed hash of the
 * lower-cased address, whether or not such a user exists. False when
 * the key can't be read (the database is away). */
static bool account_key(const char *email, unsigned char out[THROTTLE_KEY_LEN])
{
	unsigned char key[32];
	char lower[EMAIL_MAX + 1];
	size_t n = 0;
	for (; email[n] != '\0' && n < EMAIL_MAX; n++)
		lower[n] = (char)((email[n] >= 'A' && email[n] <= 'Z') ? email[n] + 32 : email[n]);
	if (db_client_key(key) != DB_OK)
		return false;
	crypto_hmac(key, lower, n, out);
	crypto_wipe(key, sizeof key);
	return true;
}

/* 429 for a sign-in that must wait @wait_s seconds: the same answer for an
 * account that exists and one that doesn't. */
static void refuse_throttled(struct req *r, int wait_s)
{
	char v[16];
	snprintf(v, sizeof v, "%d", wait_s);
	reply_header(r, "Retry-After", v);
	reply_error(r, ERR_RATE_LIMITED, NULL, "too many failed sign-ins: try again in %d second%s",
		    wait_s, wait_s == 1 ? "" : "s");
}

void h_session_create(struct req *r)
{
	const char *email = NULL, *password = NULL;
	struct js_field spec[] = {
	    JS_STR("email", &email, JS_REQUIRED, 1, EMAIL_MAX),
	    JS_STR("password", &password, JS_REQUIRED, 1, 1024),
	};
	if (!req_parse_json(r, spec, 2))
		return;
	unsigned char account[THROTTLE_KEY_LEN];
	struct visitor v;
	req_visitor(r, &v);
	const unsigned char *acc = account_key(email, account) ? account : NULL,
			    *addr = v.hashed ? v.hash : NULL;
	int wait_s = 0;
	enum db_status s = acc != NULL ? db_sign_in_wait(acc, addr, &wait_s) : DB_UNAVAILABLE;
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	if (wait_s > 0) { /* not even checked: a guess now tells nothing */
		refuse_throttled(r, wait_s);
		return;
	}
	struct user u;
	char hash[PWHASH_MAX];
	s = db_user_for_login(email, &u, hash);
	if (s != DB_OK && s != DB_NOT_FOUND) {
		reply_db(r, s);
		return;
	}
	/* Unknown users are verified against a dummy hash: same cost. */
	if (!crypto_password_verify(s == DB_OK ? hash : NULL, password)) {
		/* counted, and answered as any wrong password even if not */
		db_sign_in_failed(acc, addr, s == DB_OK ? u.id : NULL, &wait_s);
		reply_error(r, ERR_INVALID_CREDENTIALS, NULL, NULL);
		return;
	}
	char token[TOKEN_CHARS + 1];
	unsigned char digest[32];
	crypto_token("", token);
	crypto_sha256(token, strlen(token), digest);
	s = db_session_create(u.id, digest, SESSION_TTL_S);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	db_sign_in_ok(acc); /* a lost reset only keeps an old count */
	set_cookie(r, token, SESSION_TTL_S);
	reply_json(r, 200, user_json(&u));
}

void h_session_delete(struct req *r)
{
	char value[128];
	if (r->via == AUTH_VIA_COOKIE &&
	    auth_cookie_value(req_header(r, "Cookie"), SESSION_COOKIE, value, sizeof value)) {
		unsigned char digest[32];
		crypto_sha256(value, strlen(value), digest);
		enum db_status s = db_session_delete(digest);
		auth_forget();
		if (s != DB_OK) {
			reply_db(r, s);
			return;
		}
	}
	set_cookie(r, "", 0);
	reply_empty(r, 204);
}

void h_me(struct req *r)
{
	reply_json(r, 200, user_json(r->user));
}
