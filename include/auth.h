/* Who is calling: session cookies and bearer tokens. */
#ifndef NS_AUTH_H
#define NS_AUTH_H
#include "db.h"
#include "model.h"
#include "router.h"
#include "http.h"

#define SESSION_COOKIE	 "ns_session"
#define SESSION_TTL_S	 (12 * 3600)
#define API_TOKEN_PREFIX "ns_"

/* Resolves the caller from "Authorization: Bearer" or the session cookie
 * (bearer wins). DB_OK with *u set, DB_NOT_FOUND when credentials are
 * absent or invalid (*via tells which were presented), DB_UNAVAILABLE.
 * Can't fail otherwise. */
enum db_status auth_identify(const char *authorization, const char *cookie, struct user *u,
			     enum auth_via *via);

/* The credential cache (see auth.c): start listening for changes once the
 * schema is migrated; until then, and whenever the listener is down,
 * every request reads the database. Stop before exit. */
int auth_cache_start(void);
void auth_cache_stop(void);
/* Drops every cached credential: call after changing users, sessions or
 * tokens, so this process never serves the old state even for the
 * moment before the database's notification arrives. */
void auth_forget(void);
/* Lookups answered from the cache and from the database (for /metrics). */
void auth_cache_stats(unsigned long *hits, unsigned long *misses);

/* Signed routes (signed.c): AUTH_SIGNED (the CRM webhook) and
 * AUTH_SIGNED_HUBSPOT (HubSpot's). The secrets are the live ones of the
 * route's kind managed through the API (db_webhook_secrets.h), read on
 * each call, plus NEXTSTAGE_WEBHOOK_SECRET or
 * NEXTSTAGE_HUBSPOT_CLIENT_SECRET when set. */
#define AUTH_SIGNATURE_HEADER	      "X-Nextstage-Signature"
#define AUTH_HUBSPOT_SIGNATURE_HEADER "X-HubSpot-Signature-v3"
#define AUTH_HUBSPOT_TIMESTAMP_HEADER "X-HubSpot-Request-Timestamp"
/* How far X-HubSpot-Request-Timestamp may be from the server's clock. */
#define AUTH_HUBSPOT_MAX_SKEW_MS (5 * 60 * 1000LL)

/* What a signed route's caller sent. */
struct auth_signed_request {
	const char *method; /* "POST" */
	const char *uri;    /* the path and query as received, not decoded */
	const char *body;
	size_t len;
	const char *signature; /* the route's signature header, or NULL */
	const char *timestamp; /* AUTH_HUBSPOT_TIMESTAMP_HEADER, or NULL */
	long long now_ms;      /* the server's clock, ms since the epoch */
};

enum auth_signature {
	AUTH_SIG_OK,
	AUTH_SIG_BAD,	       /* no secret of the kind verifies it */
	AUTH_SIG_STALE,	       /* HubSpot's timestamp is missing or too far off */
	AUTH_SIG_UNCONFIGURED, /* the server has no secret of the kind */
	AUTH_SIG_UNAVAILABLE,  /* the database did not answer */
	AUTH_SIG_ERROR,	       /* a server fault (logged) */
};

/* Checks @sr against the secrets of @kind (AUTH_SIGNED or
 * AUTH_SIGNED_HUBSPOT). Can't fail otherwise. */
enum auth_signature auth_check_signed(enum route_auth kind, const struct auth_signed_request *sr);

/* True if @header is "sha256=<hex HMAC-SHA256 of the @len bytes of @body
 * under @secret>", compared in constant time; false for anything else,
 * and always when @secret is NULL or empty. Can't fail. */
bool auth_signature_ok(const char *secret, const char *header, const char *body, size_t len);

/* HubSpot's v3 signature: true if @sr->signature is the base64 of the
 * HMAC-SHA256 under @secret of method + URI + body + timestamp, the URI
 * being auth_hubspot_uri's. The timestamp is not judged here
 * (auth_hubspot_fresh). False when @secret is NULL or empty. */
bool auth_hubspot_ok(const char *secret, const char *public_url,
		     const struct auth_signed_request *sr);
/* The URI HubSpot signed: @public_url followed by @uri (path and query as
 * received), with the escapes %3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C
 * %3B (either case) decoded, as HubSpot does, and every other byte kept.
 * False when it does not fit @outlen bytes with its NUL. */
bool auth_hubspot_uri(const char *public_url, const char *uri, char *out, size_t outlen);
/* True if @timestamp is decimal milliseconds since the epoch within
 * AUTH_HUBSPOT_MAX_SKEW_MS of @now_ms. */
bool auth_hubspot_fresh(const char *timestamp, long long now_ms);

/* True if @u may call a route guarded by @need (signed routes: never;
 * their signature is checked instead). */
bool auth_allows(const struct user *u, enum route_auth need);

/* The value of cookie @name in a Cookie header into @out; false if absent. */
bool auth_cookie_value(const char *header, const char *name, char *out, size_t outlen);

#endif
