/* Single sign-on with OpenID Connect: the authorization code flow with
 * PKCE (README, "Single sign-on"). GET /sso/start sends the browser to
 * the provider with a fresh state, nonce and S256 challenge, kept in the
 * database (db_sso.h) and the state in a short-lived cookie too, so that
 * only the browser that started a sign-in can finish it; GET
 * /sso/callback takes that state once, redeems the code, verifies the ID
 * token (oidc.h), and signs the person in as the user with their e-mail,
 * made with the default role when there is none. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "auth.h"
#include "config.h"
#include "crypto.h"
#include "db_sso.h"
#include "handlers.h"
#include "log.h"
#include "oidc.h"
#include "ratelimit.h"
#include "sso.h"

#define SSO_COOKIE	  "ns_sso"
#define SSO_ATTEMPT_TTL_S 600
#define CALLBACK_PATH	  "/api/v1/sso/callback"

static void state_cookie(struct req *r, const char *value, int max_age)
{
	char c[256];
	bool secure = strncmp(config.public_url, "https://", 8) == 0;
	snprintf(c, sizeof c, "%s=%s; Path=/api/v1/sso; HttpOnly; SameSite=Lax; Max-Age=%d%s",
		 SSO_COOKIE, value, max_age, secure ? "; Secure" : "");
	reply_header(r, "Set-Cookie", c);
}

void h_sso_info(struct req *r)
{
	bool on = sso_enabled();
	reply_json(r, 200,
		   json_pack("{s:b, s:b, s:o}", "enabled", on, "local_passwords",
			     config.local_passwords, "start_url",
			     on ? json_string("/api/v1/sso/start") : json_null()));
}

/* A failed sign-in: problem+json, or for a browser (Accept names
 * text/html) a 303 to the sign-in page, which says what went wrong by
 * the same code. Logged with @detail either way. */
static void refuse(struct req *r, enum err e, const char *detail)
{
	log_msg("warn", "sso: sign-in refused (%s): %s", err_code(e), detail);
	state_cookie(r, "", 0);
	reply_header(r, "Cache-Control", "no-store");
	const char *accept = req_header(r, "Accept");
	if (accept != NULL && strstr(accept, "text/html") != NULL) {
		char where[128];
		snprintf(where, sizeof where, "/app/sign-in?sso_error=%s", err_code(e));
		reply_header(r, "Location", where);
		reply_empty(r, 303);
		return;
	}
	reply_error(r, e, NULL, "%s", detail);
}

static bool configured(struct req *r)
{
	if (sso_enabled())
		return true;
	refuse(r, ERR_SSO_NOT_CONFIGURED,
	       "single sign-on is not configured (NEXTSTAGE_OIDC_ISSUER)");
	return false;
}

/* Each start writes a row: at most NEXTSTAGE_PUBLIC_RATE a minute from
 * one address, as the public pages. */
static struct ratelimit *starts;

static void make_limiter(void)
{
	starts = rl_new(config.public_rate, config.public_rate);
	if (starts == NULL)
		log_msg("error", "no memory for the rate limiter of /sso/start: not limiting");
}

static bool admitted(struct req *r)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (config.public_rate == 0)
		return true;
	pthread_once(&once, make_limiter);
	char addr[64];
	req_client(r, addr, sizeof addr);
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	unsigned retry;
	if (starts == NULL ||
	    rl_admit(starts, addr, (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000,
		     &retry))
		return true;
	char v[16];
	snprintf(v, sizeof v, "%u", retry);
	reply_header(r, "Retry-After", v);
	reply_error(r, ERR_RATE_LIMITED, NULL,
		    "at most %u sign-ins a minute start from one address; retry in %u s",
		    config.public_rate, retry);
	return false;
}

void h_sso_start(struct req *r)
{
	if (!configured(r) || !admitted(r))
		return;
	const char *next = req_query(r, "next");
	if (next == NULL || next[0] == '\0')
		next = "/app/";
	if (!oidc_next_ok(next)) {
		reply_error(r, ERR_INVALID_PARAMETER, "next",
			    "next must be a path of this site, such as /app/library");
		return;
	}
	char why[512];
	struct sso_endpoints e;
	if (!sso_provider(&e, why, sizeof why)) {
		refuse(r, ERR_SSO_PROVIDER, why);
		return;
	}
	struct sso_attempt a;
	char state[TOKEN_CHARS + 1], challenge[OIDC_CHALLENGE_CHARS + 1];
	unsigned char digest[32];
	crypto_token("", state);
	crypto_token("", a.nonce);
	crypto_token("", a.verifier);
	snprintf(a.next, sizeof a.next, "%s", next);
	crypto_sha256(state, strlen(state), digest);
	enum db_status s = db_sso_attempt_create(digest, &a, SSO_ATTEMPT_TTL_S);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	oidc_challenge(a.verifier, challenge);
	char redirect_uri[1200];
	snprintf(redirect_uri, sizeof redirect_uri, "%s%s", config.public_url, CALLBACK_PATH);
	char *url = oidc_authorize_url(e.authorization, config.oidc_client_id, redirect_uri, state,
				       a.nonce, challenge);
	crypto_wipe(&a, sizeof a);
	if (url == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, "out of memory");
		return;
	}
	state_cookie(r, state, SSO_ATTEMPT_TTL_S);
	reply_header(r, "Location", url);
	reply_header(r, "Cache-Control", "no-store");
	free(url);
	reply_empty(r, 302);
}

/* The cookie's state is the callback's (the browser that started it). */
static bool same_browser(struct req *r, const char *state)
{
	char value[128];
	return auth_cookie_value(req_header(r, "Cookie"), SSO_COOKIE, value, sizeof value) &&
	       strlen(value) == strlen(state) && crypto_equal(value, state, strlen(state));
}

/* The ID token named no e-mail: the provider's userinfo endpoint may
 * (OpenID Connect's other way of giving claims). */
static bool complete_from_userinfo(const struct sso_endpoints *ep, const char *access_token,
				   struct oidc_identity *who, enum err *e, char *why, size_t whylen)
{
	char *info = sso_userinfo(ep, access_token, why, whylen);
	if (info == NULL) {
		*e = ERR_SSO_PROVIDER;
		return false;
	}
	bool ok = oidc_userinfo(info, who, why, whylen);
	free(info);
	return ok;
}

/* Redeems @code and verifies the ID token against @a: the person into
 * @who, or false with the reason in @why (and *@e the error). */
static bool identify(const char *code, const struct sso_attempt *a, struct oidc_identity *who,
		     enum err *e, char *why, size_t whylen)
{
	struct sso_endpoints ep;
	char redirect_uri[1200];
	snprintf(redirect_uri, sizeof redirect_uri, "%s%s", config.public_url, CALLBACK_PATH);
	*e = ERR_SSO_PROVIDER;
	char *body = sso_provider(&ep, why, whylen)
			 ? sso_redeem(&ep, code, a->verifier, redirect_uri, why, whylen)
			 : NULL;
	if (body == NULL)
		return false;
	char *id_token = NULL, *access_token = NULL;
	*e = ERR_SSO_FAILED;
	bool ok = oidc_token_answer(body, &id_token, &access_token, why, whylen);
	free(body);
	struct oidc_expect x = {config.oidc_issuer, config.oidc_client_id, a->nonce,
				(long long)time(NULL)};
	enum oidc_result res = OIDC_MALFORMED;
	for (int round = 0; ok && round < 2; round++) { /* a key rotated: refetch once */
		char *jwks = sso_jwks(round > 0, why, whylen);
		if (jwks == NULL) {
			*e = ERR_SSO_PROVIDER;
			break;
		}
		res = oidc_verify(id_token, jwks, &x, who, why, whylen);
		free(jwks);
		if (res != OIDC_NO_KEY)
			break;
	}
	free(id_token);
	ok = ok && res == OIDC_OK;
	if (ok && who->email[0] == '\0' && access_token != NULL && ep.userinfo[0] != '\0')
		ok = complete_from_userinfo(&ep, access_token, who, e, why, whylen);
	if (access_token != NULL)
		crypto_wipe(access_token, strlen(access_token));
	free(access_token);
	return ok;
}

/* The e-mail the identity signs in with, or false with the reason. */
static bool usable_email(const struct oidc_identity *who, char *why, size_t whylen)
{
	if (who->email[0] == '\0' || !email_valid(who->email)) {
		snprintf(why, whylen,
			 "the provider gave no e-mail address for %s (the ID token needs the email "
			 "claim)",
			 who->subject);
		return false;
	}
	if (who->email_verified == 0) {
		snprintf(why, whylen, "the provider says %s is not verified", who->email);
		return false;
	}
	return true;
}

void h_sso_callback(struct req *r)
{
	if (!configured(r))
		return;
	const char *code = req_query(r, "code"), *state = req_query(r, "state");
	const char *error = req_query(r, "error");
	char why[512];
	if (error != NULL) { /* the person declined, or the provider refused */
		const char *desc = req_query(r, "error_description");
		snprintf(why, sizeof why, "the provider answered %.64s%s%.200s", error,
			 desc ? ": " : "", desc ? desc : "");
		refuse(r, ERR_SSO_FAILED, why);
		return;
	}
	if (code == NULL || state == NULL || code[0] == '\0' || state[0] == '\0') {
		refuse(r, ERR_SSO_FAILED, "the callback needs code and state");
		return;
	}
	if (!same_browser(r, state)) {
		refuse(r, ERR_SSO_FAILED,
		       "this sign-in was not started in this browser (state does not match)");
		return;
	}
	unsigned char digest[32];
	crypto_sha256(state, strlen(state), digest);
	struct sso_attempt a;
	enum db_status s = db_sso_attempt_take(digest, &a);
	if (s == DB_NOT_FOUND) {
		refuse(r, ERR_SSO_FAILED, "unknown, expired or already used state: sign in again");
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	struct oidc_identity who;
	enum err e;
	bool ok = identify(code, &a, &who, &e, why, sizeof why);
	crypto_wipe(a.verifier, sizeof a.verifier);
	if (!ok || !usable_email(&who, why, sizeof why)) {
		refuse(r, ok ? ERR_SSO_FAILED : e, why);
		return;
	}
	char name[NAME_MAX_BYTES + 1]; /* for a new user: else the e-mail's local part */
	size_t local = strcspn(who.email, "@");
	if (who.name[0])
		memcpy(name, who.name, strlen(who.name) + 1);
	else
		snprintf(name, sizeof name, "%.*s",
			 (int)(local < NAME_MAX_BYTES ? local : NAME_MAX_BYTES), who.email);
	struct sso_person p = {who.email, name, config.oidc_default_role, config.oidc_issuer,
			       who.subject};
	struct user u;
	bool created = false;
	s = db_sso_sign_in(&p, &u, &created);
	if (s == DB_CONFLICT) {
		snprintf(why, sizeof why, "the account of %s is deactivated", who.email);
		refuse(r, ERR_SSO_FAILED, why);
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	if (!session_start(r, &u))
		return;
	log_msg("info", "sso: %s signed in (%s%s)", u.email, who.subject,
		created ? ", new user" : "");
	state_cookie(r, "", 0);
	reply_header(r, "Location", a.next);
	reply_header(r, "Cache-Control", "no-store");
	reply_empty(r, 303);
}
