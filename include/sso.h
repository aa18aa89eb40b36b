/* Single sign-on's identity provider (server/sso/provider.c): its
 * discovery document and JWKS, fetched with libcurl from
 * config.oidc_issuer and cached for every thread, and the code
 * redemption at its token endpoint. Each call may block for up to
 * SSO_HTTP_TIMEOUT_S per request to the provider. */
#ifndef NS_SSO_H
#define NS_SSO_H
#include <stdbool.h>
#include <stddef.h>

#define SSO_HTTP_TIMEOUT_S 10
/* Discovery is fetched again after this long; the JWKS too, and sooner
 * when an ID token names a key it lacks (at most every SSO_JWKS_MIN_S). */
#define SSO_CACHE_S    3600
#define SSO_JWKS_MIN_S 10

#define SSO_URL_MAX 1024

/* What the provider's discovery document says (OpenID Connect Discovery
 * 1.0; its issuer must be config.oidc_issuer exactly). */
struct sso_endpoints {
	char authorization[SSO_URL_MAX];
	char token[SSO_URL_MAX];
	char userinfo[SSO_URL_MAX]; /* "" when the provider has none */
	bool secret_post;	    /* client_secret_post; else client_secret_basic */
};

/* Whether single sign-on is configured. */
bool sso_enabled(void);

/* The provider's endpoints (cached) into @out; false with the reason in
 * @why when it can't be had. */
bool sso_provider(struct sso_endpoints *out, char *why, size_t whylen);

/* The provider's JWKS as JSON text (malloc'd), cached; @stale: a key was
 * missing from the cached one, fetch it again unless it was just
 * fetched. NULL with the reason in @why. */
char *sso_jwks(bool stale, char *why, size_t whylen);

/* Redeems @code (with PKCE's @verifier) at the token endpoint, the client
 * authenticated as the provider takes it: the answer's body (malloc'd,
 * for oidc_token_answer) whatever its status, or NULL with the reason in
 * @why when none came. */
char *sso_redeem(const struct sso_endpoints *e, const char *code, const char *verifier,
		 const char *redirect_uri, char *why, size_t whylen);

/* The userinfo endpoint's answer to @access_token: its JSON body
 * (malloc'd, for oidc_userinfo), or NULL with the reason in @why. */
char *sso_userinfo(const struct sso_endpoints *e, const char *access_token, char *why,
		   size_t whylen);

#endif
