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

/* Signed routes (AUTH_SIGNED, signed.c). True if @header (the
 * AUTH_SIGNATURE_HEADER) is "sha256=<hex HMAC-SHA256 of the @len bytes of
 * @body under @secret>", compared in constant time; false for anything
 * else, and always when @secret is NULL or empty. Can't fail. */
#define AUTH_SIGNATURE_HEADER "X-Nextstage-Signature"
bool auth_signature_ok(const char *secret, const char *header, const char *body, size_t len);
/* auth_signature_ok under NEXTSTAGE_WEBHOOK_SECRET. */
bool auth_signed(const char *header, const char *body, size_t len);

/* True if @u may call a route guarded by @need (AUTH_SIGNED: never; its
 * signature is checked instead). */
bool auth_allows(const struct user *u, enum route_auth need);

/* The value of cookie @name in a Cookie header into @out; false if absent. */
bool auth_cookie_value(const char *header, const char *name, char *out, size_t outlen);

#endif
