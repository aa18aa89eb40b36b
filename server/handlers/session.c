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
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:s}", "id", u->id, "email", u->email,
			 "name", u->name, "role", role_name(u->role), "board", u->board, "active",
			 u->active, "created_at", u->created_at, "email_notifications",
			 u->email_notifications);
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

/* Whether @password is @email's, throttled: the user in *@u when it is;
 * otherwise answered (429 while the account or @r's address must wait,
 * the failure counted and answered @wrong naming @field, or the database's
 * fault). Unknown users are verified against a dummy hash: same cost. */
static bool password_ok(struct req *r, const char *email, const char *password, struct user *u,
			enum err wrong, const char *field)
{
	unsigned char account[THROTTLE_KEY_LEN];
	struct visitor v;
	req_visitor(r, &v);
	const unsigned char *acc = account_key(email, account) ? account : NULL,
			    *addr = v.hashed ? v.hash : NULL;
	int wait_s = 0;
	enum db_status s = acc != NULL ? db_sign_in_wait(acc, addr, &wait_s) : DB_UNAVAILABLE;
	if (s == DB_OK && wait_s > 0) { /* not even checked: a guess now tells nothing */
		refuse_throttled(r, wait_s);
		return false;
	}
	char hash[PWHASH_MAX];
	if (s == DB_OK)
		s = db_user_for_login(email, u, hash);
	if (s != DB_OK && s != DB_NOT_FOUND) {
		reply_db(r, s);
		return false;
	}
	/* a user single sign-on made has no password: the dummy's cost too */
	if (!crypto_password_verify(s == DB_OK && hash[0] != '\0' ? hash : NULL, password)) {
		/* counted, and answered the same even if not */
		db_sign_in_failed(acc, addr, s == DB_OK ? u->id : NULL, &wait_s);
		reply_error(r, wrong, field,
			    wrong == ERR_INVALID_CREDENTIALS ? NULL : "%s is wrong", field);
		return false;
	}
	db_sign_in_ok(acc); /* a lost reset only keeps an old count */
	return true;
}

/* False, answered 403 local_passwords_off, when passwords are turned off
 * (NEXTSTAGE_LOCAL_PASSWORDS=off): the same for every account, before any
 * is looked up. */
static bool local_passwords_on(struct req *r)
{
	if (config.local_passwords)
		return true;
	reply_error(r, ERR_LOCAL_PASSWORDS_OFF, NULL,
		    "this server signs in through single sign-on only: use GET /api/v1/sso/start");
	return false;
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
	struct user u;
	if (!local_passwords_on(r) ||
	    !password_ok(r, email, password, &u, ERR_INVALID_CREDENTIALS, NULL) ||
	    !session_start(r, &u))
		return;
	reply_json(r, 200, user_json(&u));
}

bool session_start(struct req *r, const struct user *u)
{
	char token[TOKEN_CHARS + 1];
	unsigned char digest[32];
	crypto_token("", token);
	crypto_sha256(token, strlen(token), digest);
	enum db_status s = db_session_create(u->id, digest, SESSION_TTL_S);
	if (s != DB_OK) {
		reply_db(r, s);
		return false;
	}
	set_cookie(r, token, SESSION_TTL_S);
	crypto_wipe(token, sizeof token);
	return true;
}

/* The digest of the session @r came with, into @out; false for none (a
 * bearer token). */
static bool session_digest(struct req *r, unsigned char out[32])
{
	char value[128];
	if (r->via != AUTH_VIA_COOKIE ||
	    !auth_cookie_value(req_header(r, "Cookie"), SESSION_COOKIE, value, sizeof value))
		return false;
	crypto_sha256(value, strlen(value), out);
	return true;
}

void h_session_delete(struct req *r)
{
	unsigned char digest[32];
	if (session_digest(r, digest)) {
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

/* PATCH /me: one's own name, and password (with the current one, checked
 * and throttled as a sign-in). A new password ends every other session of
 * the user; the one it was changed with stays. */
static const char *const email_choices[] = {"none", "each", "daily", NULL};

void h_me_update(struct req *r)
{
	const char *name = NULL, *password = NULL, *current = NULL, *email = NULL;
	struct js_field spec[] = {
	    JS_STR("name", &name, 0, 1, NAME_MAX_BYTES),
	    JS_STR("password", &password, 0, 1, 1024),
	    JS_STR("current_password", &current, 0, 1, 1024),
	    JS_ONE_OF("email_notifications", &email, 0, email_choices),
	};
	if (!req_parse_json(r, spec, 4))
		return;
	if (email != NULL && strcmp(email, "none") != 0 && config.smtp_url == NULL) {
		reply_error(r, ERR_EMAIL_OFF, "email_notifications",
			    "this server sends no e-mail (NEXTSTAGE_SMTP_URL is not set)");
		return;
	}
	if (password != NULL && !local_passwords_on(r))
		return;
	if (password != NULL && current == NULL) {
		reply_error(r, ERR_MISSING_FIELD, "current_password",
			    "a new password needs the current one");
		return;
	}
	struct user me;
	char hash[PWHASH_MAX];
	if (password != NULL &&
	    (!password_ok(r, r->user->email, current, &me, ERR_INVALID_FIELD, "current_password") ||
	     !hash_password(r, password, hash)))
		return;
	unsigned char digest[32];
	struct user_patch p = {.name = name,
			       .role = ROLE_NONE,
			       .board = -1,
			       .active = -1,
			       .pwhash = password ? hash : NULL,
			       .email_notifications = email,
			       .keep_session = session_digest(r, digest) ? digest : NULL};
	enum db_status s = db_user_update(r->user->id, r->user->id, &p, &me);
	auth_forget(); /* the sessions that ended */
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, 200, user_json(&me));
}
