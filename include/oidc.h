/* OpenID Connect's pure parts (server/sso/oidc.c): the ID token's
 * signature and claims (libcjose), PKCE, the authorization request's URL,
 * the token endpoint's answer, and where a signed-in user may be sent.
 * Nothing here does I/O; the provider's documents come from sso.h. */
#ifndef NS_OIDC_H
#define NS_OIDC_H
#include <stdbool.h>
#include <stddef.h>
#include "model.h"

/* Seconds of clock skew allowed on exp and iat, and how old iat may be. */
#define OIDC_LEEWAY_S  60
#define OIDC_MAX_AGE_S 600
/* base64url of a SHA-256, no padding */
#define OIDC_CHALLENGE_CHARS 43
#define OIDC_SUBJECT_MAX     255
#define OIDC_TOKEN_MAX	     16384 /* bytes of a compact ID token */

/* What the ID token must say. */
struct oidc_expect {
	const char *issuer;    /* iss, exactly */
	const char *client_id; /* in aud; azp, when present, equal to it */
	const char *nonce;     /* nonce, exactly */
	long long now;	       /* seconds since the epoch */
};

/* Who the ID token names. */
struct oidc_identity {
	char subject[OIDC_SUBJECT_MAX + 1];
	char email[EMAIL_MAX + 1];     /* "" when the token has none */
	int email_verified;	       /* 1, 0, or -1 when the token does not say */
	char name[NAME_MAX_BYTES + 1]; /* name, else preferred_username; "" for none */
};

enum oidc_result {
	OIDC_OK,
	OIDC_MALFORMED,	    /* not a compact JWS with a JSON object inside */
	OIDC_BAD_ALG,	    /* "none", HMAC, or an algorithm not taken */
	OIDC_NO_KEY,	    /* no key of the JWKS fits (refetch the JWKS, once) */
	OIDC_BAD_SIGNATURE, /* a fitting key does not verify it */
	OIDC_BAD_CLAIM,	    /* iss, aud, azp, exp, iat, nonce or sub is wrong */
};

/* Verifies @id_token (compact JWS) against the keys of @jwks (a JWK Set's
 * JSON text) and @x: an asymmetric signature (RS*, PS*, ES*) by the key
 * its kid names (every key of the right type when it names none), then
 * the claims. On OIDC_OK fills @out; otherwise says why in @why (for the
 * log and the problem's detail; never the token itself). Can't fail
 * otherwise. */
enum oidc_result oidc_verify(const char *id_token, const char *jwks, const struct oidc_expect *x,
			     struct oidc_identity *out, char *why, size_t whylen);

/* PKCE's S256 code challenge of @verifier into @out. Can't fail. */
void oidc_challenge(const char *verifier, char out[OIDC_CHALLENGE_CHARS + 1]);

/* The authorization request: @endpoint with response_type=code, scope
 * "openid email profile", and the other parameters percent-encoded
 * (malloc'd; NULL when out of memory). */
char *oidc_authorize_url(const char *endpoint, const char *client_id, const char *redirect_uri,
			 const char *state, const char *nonce, const char *challenge);

/* Percent-encodes @s (everything but RFC 3986's unreserved characters)
 * into @out; false when it does not fit @outlen with its NUL. */
bool oidc_urlencode(const char *s, char *out, size_t outlen);

/* The token endpoint's JSON answer @body: its id_token and access_token
 * (malloc'd; the access token NULL when there is none) into *@id_token
 * and *@access_token, or false with the provider's error and description
 * (or what is missing) in @why. */
bool oidc_token_answer(const char *body, char **id_token, char **access_token, char *why,
		       size_t whylen);

/* Completes @who (an ID token's, without an e-mail) from the userinfo
 * endpoint's JSON answer @body: email, email_verified, and name when the
 * ID token had none. False with the reason when it is not JSON or its sub
 * is not @who's (OpenID Connect Core 1.0, 5.3.2). */
bool oidc_userinfo(const char *body, struct oidc_identity *who, char *why, size_t whylen);

/* Whether @next is a path of this site a user may be sent to after
 * signing in: "/..." but not "//..." or "/\...", printable ASCII without
 * backslashes, at most 1024 bytes. Anything else could leave the site. */
bool oidc_next_ok(const char *next);

#endif
