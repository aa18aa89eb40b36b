/* OpenID Connect's pure parts: ID tokens (libcjose), PKCE, URLs. */
#include "oidc.h"

#include <cjose/cjose.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"

#define WHY(...) snprintf(why, whylen, __VA_ARGS__)

/* The JWK key type an asymmetric JWS algorithm needs; -1 for any other
 * (none, HS*: a client secret is not a key anyone but us should sign with). */
static int kty_for(const char *alg)
{
	static const char *const rsa[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"};
	static const char *const ec[] = {"ES256", "ES384", "ES512"};
	for (size_t i = 0; i < sizeof rsa / sizeof *rsa; i++)
		if (strcmp(alg, rsa[i]) == 0)
			return CJOSE_JWK_KTY_RSA;
	for (size_t i = 0; i < sizeof ec / sizeof *ec; i++)
		if (strcmp(alg, ec[i]) == 0)
			return CJOSE_JWK_KTY_EC;
	return -1;
}

/* Whether JWK @k (a member of the set's "keys") may verify a signature
 * by @alg with key id @kid (NULL: any). */
static bool key_fits(json_t *k, const char *alg, const char *kid)
{
	const char *use = json_string_value(json_object_get(k, "use"));
	const char *kalg = json_string_value(json_object_get(k, "alg"));
	const char *kkid = json_string_value(json_object_get(k, "kid"));
	if ((use != NULL && strcmp(use, "sig") != 0) || (kalg != NULL && strcmp(kalg, alg) != 0))
		return false;
	return kid == NULL || (kkid != NULL && strcmp(kid, kkid) == 0);
}

/* Whether @v is base64url that libcjose 0.6 decodes without aborting the
 * process (an assert on 4n + 1 characters; '=' and other bytes left over
 * reach it too). */
static bool b64url_ok(const char *v)
{
	size_t len = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	return v[len] == '\0' && len % 4 != 1;
}

/* Whether every member of JWK @k that libcjose decodes as base64url (the
 * RSA, EC and symmetric key material) is fit for it: a provider's JWKS
 * must not be able to abort the server. */
static bool key_material_ok(json_t *k)
{
	static const char *const members[] = {"n",  "e",  "d", "p", "q", "dp",
					      "dq", "qi", "x", "y", "k"};
	for (size_t i = 0; i < sizeof members / sizeof *members; i++) {
		json_t *v = json_object_get(k, members[i]);
		if (v != NULL && (!json_is_string(v) || !b64url_ok(json_string_value(v))))
			return false;
	}
	return true;
}

/* Tries the keys of @jwks on @jws: OIDC_OK, OIDC_NO_KEY or OIDC_BAD_SIGNATURE. */
static enum oidc_result verify_signature(cjose_jws_t *jws, const char *jwks, const char *alg,
					 const char *kid, char *why, size_t whylen)
{
	json_t *set = json_loads(jwks, 0, NULL);
	json_t *keys = json_object_get(set, "keys");
	enum oidc_result res = OIDC_NO_KEY;
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k)
	{
		if (!json_is_object(k) || !key_fits(k, alg, kid) || !key_material_ok(k))
			continue;
		cjose_err err;
		cjose_jwk_t *jwk = cjose_jwk_import_json((cjose_header_t *)k, &err);
		if (jwk == NULL || (int)cjose_jwk_get_kty(jwk, &err) != kty_for(alg)) {
			if (jwk != NULL)
				cjose_jwk_release(jwk);
			continue;
		}
		bool ok = cjose_jws_verify(jws, jwk, &err);
		cjose_jwk_release(jwk);
		if (ok) {
			res = OIDC_OK;
			break;
		}
		res = OIDC_BAD_SIGNATURE;
	}
	json_decref(set);
	if (res == OIDC_NO_KEY)
		WHY("no key of the provider's JWKS fits the ID token (alg %s, kid %s)", alg,
		    kid ? kid : "none");
	else if (res == OIDC_BAD_SIGNATURE)
		WHY("the ID token's signature does not verify");
	return res;
}

/* A JSON number claim (NumericDate) into *@out; false when absent or not one. */
static bool time_claim(json_t *claims, const char *name, long long *out)
{
	json_t *v = json_object_get(claims, name);
	if (!json_is_number(v))
		return false;
	*out = (long long)json_number_value(v);
	return true;
}

static bool aud_has(json_t *aud, const char *client_id, size_t *count)
{
	if (json_is_string(aud)) {
		*count = 1;
		return strcmp(json_string_value(aud), client_id) == 0;
	}
	bool found = false;
	size_t i;
	json_t *a;
	*count = json_array_size(aud);
	json_array_foreach(aud, i, a) found |=
	    json_is_string(a) && strcmp(json_string_value(a), client_id) == 0;
	return found;
}

/* Copies @s into @out (@outlen bytes), cut at a UTF-8 character's start. */
static void copy_utf8(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);
	if (n >= outlen) {
		n = outlen - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* Fills @who's claims from those of @c (an ID token's or userinfo's). */
static void take_profile(json_t *c, struct oidc_identity *out)
{
	const char *email = json_string_value(json_object_get(c, "email"));
	if (email != NULL && strlen(email) <= EMAIL_MAX)
		snprintf(out->email, sizeof out->email, "%s", email);
	json_t *ev = json_object_get(c, "email_verified");
	const char *evs = json_string_value(ev); /* some providers send "true" */
	out->email_verified = json_is_boolean(ev) ? json_is_true(ev)
			      : evs != NULL	  ? strcmp(evs, "true") == 0
						  : -1;
	const char *name = json_string_value(json_object_get(c, "name"));
	if (name == NULL || name[0] == '\0')
		name = json_string_value(json_object_get(c, "preferred_username"));
	if (name != NULL && out->name[0] == '\0')
		copy_utf8(out->name, sizeof out->name, name);
}

static enum oidc_result check_claims(json_t *c, const struct oidc_expect *x,
				     struct oidc_identity *out, char *why, size_t whylen)
{
	const char *iss = json_string_value(json_object_get(c, "iss"));
	if (iss == NULL || strcmp(iss, x->issuer) != 0) {
		WHY("the ID token's issuer is not %s", x->issuer);
		return OIDC_BAD_CLAIM;
	}
	size_t auds = 0;
	if (!aud_has(json_object_get(c, "aud"), x->client_id, &auds)) {
		WHY("the ID token is not for this client (aud)");
		return OIDC_BAD_CLAIM;
	}
	json_t *azp = json_object_get(c, "azp");
	if ((azp != NULL || auds > 1) &&
	    (!json_is_string(azp) || strcmp(json_string_value(azp), x->client_id) != 0)) {
		WHY("the ID token was issued to another party (azp)");
		return OIDC_BAD_CLAIM;
	}
	long long exp, iat;
	if (!time_claim(c, "exp", &exp) || exp + OIDC_LEEWAY_S <= x->now) {
		WHY("the ID token has expired (exp)");
		return OIDC_BAD_CLAIM;
	}
	if (!time_claim(c, "iat", &iat) || iat > x->now + OIDC_LEEWAY_S ||
	    iat < x->now - OIDC_MAX_AGE_S - OIDC_LEEWAY_S) {
		WHY("the ID token's issue time is not now (iat)");
		return OIDC_BAD_CLAIM;
	}
	const char *nonce = json_string_value(json_object_get(c, "nonce"));
	if (nonce == NULL || strlen(nonce) != strlen(x->nonce) ||
	    !crypto_equal(nonce, x->nonce, strlen(nonce))) {
		WHY("the ID token's nonce is not this sign-in's");
		return OIDC_BAD_CLAIM;
	}
	const char *sub = json_string_value(json_object_get(c, "sub"));
	if (sub == NULL || sub[0] == '\0' || strlen(sub) > OIDC_SUBJECT_MAX) {
		WHY("the ID token names no subject (sub)");
		return OIDC_BAD_CLAIM;
	}
	memset(out, 0, sizeof *out);
	snprintf(out->subject, sizeof out->subject, "%s", sub);
	take_profile(c, out);
	return OIDC_OK;
}

/* Whether @t is three base64url segments (the signature's may be empty)
 * that each decode: libcjose 0.6 aborts the process (an assert) on a
 * segment of 4n + 1 characters, so nothing else reaches it. */
static bool compact_ok(const char *t)
{
	size_t seg = 0, len = 0, total = 0;
	for (const char *c = t;; c++, total++) {
		if (*c == '.' || *c == '\0') {
			if (len % 4 == 1 || (len == 0 && seg < 2))
				return false;
			if (*c == '\0')
				return seg == 2 && total <= OIDC_TOKEN_MAX;
			seg++, len = 0;
		} else if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			   (*c >= '0' && *c <= '9') || *c == '-' || *c == '_') {
			len++;
		} else {
			return false;
		}
	}
}

enum oidc_result oidc_verify(const char *id_token, const char *jwks, const struct oidc_expect *x,
			     struct oidc_identity *out, char *why, size_t whylen)
{
	cjose_err err;
	cjose_jws_t *jws = id_token && compact_ok(id_token)
			       ? cjose_jws_import(id_token, strlen(id_token), &err)
			       : NULL;
	if (jws == NULL) {
		WHY("the ID token is not a signed JWT");
		return OIDC_MALFORMED;
	}
	cjose_header_t *h = cjose_jws_get_protected(jws);
	const char *alg = h ? cjose_header_get(h, "alg", &err) : NULL;
	const char *kid = h ? cjose_header_get(h, "kid", &err) : NULL;
	enum oidc_result res;
	if (alg == NULL || kty_for(alg) < 0) {
		WHY("the ID token's algorithm %s is not taken", alg ? alg : "(none)");
		res = OIDC_BAD_ALG;
	} else {
		res = verify_signature(jws, jwks, alg, kid, why, whylen);
	}
	uint8_t *plain = NULL;
	size_t len = 0;
	json_t *claims = NULL;
	if (res == OIDC_OK && cjose_jws_get_plaintext(jws, &plain, &len, &err))
		claims = json_loadb((const char *)plain, len, 0, NULL);
	if (res == OIDC_OK && !json_is_object(claims)) {
		WHY("the ID token's claims are not a JSON object");
		res = OIDC_MALFORMED;
	}
	if (res == OIDC_OK)
		res = check_claims(claims, x, out, why, whylen);
	json_decref(claims);
	cjose_jws_release(jws);
	return res;
}

void oidc_challenge(const char *verifier, char out[OIDC_CHALLENGE_CHARS + 1])
{
	unsigned char d[32];
	crypto_sha256(verifier, strlen(verifier), d);
	sodium_bin2base64(out, OIDC_CHALLENGE_CHARS + 1, d, sizeof d,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool oidc_urlencode(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL;
		if (n + (plain ? 1 : 3) >= outlen)
			return false;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return outlen > 0;
}

char *oidc_authorize_url(const char *endpoint, const char *client_id, const char *redirect_uri,
			 const char *state, const char *nonce, const char *challenge)
{
	char id[768], uri[1536], st[192], no[192], ch[192];
	if (!oidc_urlencode(client_id, id, sizeof id) ||
	    !oidc_urlencode(redirect_uri, uri, sizeof uri) ||
	    !oidc_urlencode(state, st, sizeof st) || !oidc_urlencode(nonce, no, sizeof no) ||
	    !oidc_urlencode(challenge, ch, sizeof ch))
		return NULL;
	char *url = NULL;
	if (asprintf(&url,
		     "%s%cresponse_type=code&client_id=%s&redirect_uri=%s&scope=openid%%20email%%20"
		     "profile&state=%s&nonce=%s&code_challenge=%s&code_challenge_method=S256",
		     endpoint, strchr(endpoint, '?') ? '&' : '?', id, uri, st, no, ch) < 0)
		return NULL;
	return url;
}

bool oidc_token_answer(const char *body, char **id_token, char **access_token, char *why,
		       size_t whylen)
{
	*id_token = *access_token = NULL;
	json_t *j = json_loads(body ? body : "", 0, NULL);
	const char *err = json_string_value(json_object_get(j, "error"));
	const char *desc = json_string_value(json_object_get(j, "error_description"));
	const char *tok = json_string_value(json_object_get(j, "id_token"));
	const char *access = json_string_value(json_object_get(j, "access_token"));
	if (!json_is_object(j))
		WHY("the token endpoint did not answer JSON");
	else if (err != NULL)
		WHY("the token endpoint refused the code: %.64s%s%.200s", err, desc ? ": " : "",
		    desc ? desc : "");
	else if (tok == NULL)
		WHY("the token endpoint gave no id_token");
	else if ((*id_token = strdup(tok)) != NULL && access != NULL)
		*access_token = strdup(access);
	json_decref(j);
	return *id_token != NULL;
}

bool oidc_userinfo(const char *body, struct oidc_identity *who, char *why, size_t whylen)
{
	json_t *c = json_loads(body ? body : "", 0, NULL);
	const char *sub = json_string_value(json_object_get(c, "sub"));
	bool ok = false;
	if (!json_is_object(c))
		WHY("the userinfo endpoint did not answer JSON");
	else if (sub == NULL || strcmp(sub, who->subject) != 0)
		WHY("the userinfo endpoint names another subject than the ID token");
	else {
		take_profile(c, who);
		ok = true;
	}
	json_decref(c);
	return ok;
}

bool oidc_next_ok(const char *next)
{
	size_t n = next ? strlen(next) : 0;
	if (n == 0 || n > 1024 || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)next[i] <= 0x20 || (unsigned char)next[i] >= 0x7f ||
		    next[i] == '\\')
			return false;
	return true;
}
