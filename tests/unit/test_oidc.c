/* OpenID Connect's pure parts (server/sso/oidc.c): ID tokens signed here
 * with keys made by libcjose, against every claim rule; PKCE's challenge
 * (RFC 7636's own example); the authorization URL; the token endpoint's
 * answer; where a signed-in user may be sent. */
#include <cjose/cjose.h>
#include <jansson.h>
#include <stdlib.h>
#include "crypto.h"
#include "harness.h"
#include "oidc.h"

#define NOW 1800000000LL

static cjose_jwk_t *key, *other, *ec;

/* A JWK Set of the public halves of @a and @b (NULL: absent), kids set. */
static char *jwks_of(cjose_jwk_t *a, cjose_jwk_t *b)
{
	json_t *keys = json_array();
	cjose_jwk_t *all[] = {a, b};
	for (int i = 0; i < 2; i++) {
		if (all[i] == NULL)
			continue;
		cjose_err err;
		char *pub = cjose_jwk_to_json(all[i], false, &err);
		json_array_append_new(keys, json_loads(pub, 0, NULL));
		free(pub);
	}
	json_t *set = json_pack("{s:o}", "keys", keys);
	char *text = json_dumps(set, 0);
	json_decref(set);
	return text;
}

/* The standard claims of a good token, for clients to change. */
static json_t *good_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:b}", "iss",
			 "https://idp.example", "aud", "nextstage", "sub", "u-1", "nonce",
			 "the-nonce-of-this-sign-in", "iat", (json_int_t)NOW - 5, "exp",
			 (json_int_t)NOW + 300, "email", "Ada@Example.com", "name", "Ada Lovelace",
			 "email_verified", 1);
}

/* @claims (taken) signed by @k with @alg, as a compact JWS (malloc'd). */
static char *sign(cjose_jwk_t *k, const char *alg, json_t *claims)
{
	cjose_err err;
	cjose_header_t *h = cjose_header_new(&err);
	cjose_header_set(h, CJOSE_HDR_ALG, alg, &err);
	cjose_header_set(h, CJOSE_HDR_KID, cjose_jwk_get_kid(k, &err), &err);
	char *payload = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	cjose_jws_t *jws = cjose_jws_sign(k, h, (const uint8_t *)payload, strlen(payload), &err);
	const char *compact = NULL;
	char *out = NULL;
	if (jws != NULL && cjose_jws_export(jws, &compact, &err))
		out = strdup(compact);
	cjose_jws_release(jws);
	cjose_header_release(h);
	free(payload);
	return out;
}

static const struct oidc_expect expect = {"https://idp.example", "nextstage",
					  "the-nonce-of-this-sign-in", NOW};

static enum oidc_result verify_with(const char *token, const char *jwks, char *why)
{
	struct oidc_identity who;
	return oidc_verify(token, jwks, &expect, &who, why, 256);
}

/* @claims signed by the right key, verified against it. */
static enum oidc_result verdict(json_t *claims, char *why)
{
	char *token = sign(key, "RS256", claims), *jwks = jwks_of(key, NULL);
	enum oidc_result r = verify_with(token, jwks, why);
	free(token);
	free(jwks);
	return r;
}

static void a_good_token_names_the_person(void)
{
	char *token = sign(key, "RS256", good_claims()), *jwks = jwks_of(other, key);
	struct oidc_identity who;
	char why[256] = "";
	CHECK(oidc_verify(token, jwks, &expect, &who, why, sizeof why) == OIDC_OK);
	CHECK_STR(who.subject, "u-1");
	CHECK_STR(who.email, "Ada@Example.com");
	CHECK_STR(who.name, "Ada Lovelace");
	CHECK(who.email_verified == 1);
	free(token);
	free(jwks);
}

static void an_ec_key_verifies_es256(void)
{
	char *token = sign(ec, "ES256", good_claims()), *jwks = jwks_of(key, ec);
	char why[256];
	CHECK(verify_with(token, jwks, why) == OIDC_OK);
	free(token);
	free(jwks);
}

static void a_token_signed_by_another_key_is_refused(void)
{
	char why[256];
	char *token = sign(other, "RS256", good_claims());
	char *jwks = jwks_of(key, NULL);
	CHECK(verify_with(token, jwks, why) == OIDC_NO_KEY); /* its kid is not there */
	cjose_err err;
	cjose_jwk_set_kid(other, "k-main", 6, &err); /* claims the provider's key id */
	free(token);
	token = sign(other, "RS256", good_claims());
	CHECK(verify_with(token, jwks, why) == OIDC_BAD_SIGNATURE);
	CHECK(strstr(why, "signature") != NULL);
	cjose_jwk_set_kid(other, "k-other", 7, &err);
	free(token);
	free(jwks);
}

static void changed_claims_break_the_signature(void)
{
	char *token = sign(key, "RS256", good_claims()), *jwks = jwks_of(key, NULL);
	char *dot = strchr(token, '.') + 1;
	dot[5] = dot[5] == 'A' ? 'B' : 'A'; /* a byte of the claims */
	char why[256];
	enum oidc_result r = verify_with(token, jwks, why);
	CHECK(r == OIDC_BAD_SIGNATURE || r == OIDC_MALFORMED);
	free(token);
	free(jwks);
}

static void none_and_hmac_are_not_taken(void)
{
	char why[256];
	char *jwks = jwks_of(key, NULL);
	/* {"alg":"none"} . claims . (no signature) */
	const char *none = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlIn0.";
	enum oidc_result r = verify_with(none, jwks, why);
	CHECK(r == OIDC_BAD_ALG || r == OIDC_MALFORMED);
	cjose_err err;
	cjose_jwk_t *oct = cjose_jwk_create_oct_random(32, &err);
	cjose_jwk_set_kid(oct, "k-main", 6, &err);
	char *token = sign(oct, "HS256", good_claims());
	CHECK(verify_with(token, jwks, why) == OIDC_BAD_ALG);
	/* even with the secret in the set: HMAC is not how a provider signs for us */
	char *withoct = jwks_of(oct, NULL);
	CHECK(verify_with(token, withoct, why) == OIDC_BAD_ALG);
	cjose_jwk_release(oct);
	free(token);
	free(withoct);
	CHECK(verify_with("garbage", jwks, why) == OIDC_MALFORMED);
	/* a segment of 4n + 1 characters: libcjose would abort on it */
	CHECK(verify_with("eyJhbGciOiJSUzI1NiJ9A.e30.c2ln", jwks, why) == OIDC_MALFORMED);
	CHECK(verify_with("eyJhbGciOiJSUzI1NiJ9.e30.c2lnA", jwks, why) == OIDC_MALFORMED);
	CHECK(verify_with("eyJhbGciOiJSUzI1NiJ9.e30.c2ln.e30", jwks, why) == OIDC_MALFORMED);
	CHECK(verify_with("eyJhbGciOiJSUzI1NiJ9.e3=0.c2ln", jwks, why) == OIDC_MALFORMED);
	CHECK(verify_with(NULL, "{}", why) == OIDC_MALFORMED);
	free(jwks);
}

static void a_jwks_libcjose_would_abort_on_is_passed_over(void)
{
	char why[256];
	char *token = sign(key, "RS256", good_claims());
	/* key material of 4n + 1 characters, or with a '=' inside: libcjose's
	 * decoder asserts on both; the key is not tried, the rest of the set is */
	const char *bad[] = {
	    "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"k-main\", \"n\": \"AAAAA\", \"e\": "
	    "\"AQAB\"}]}",
	    "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"k-main\", \"n\": \"sXch=DaQ\", \"e\": "
	    "\"AQAB\"}]}",
	    "{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"k-main\", \"n\": 7, \"e\": \"AQAB\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(verify_with(token, bad[i], why) == OIDC_NO_KEY);
	char *good = jwks_of(key, NULL);
	CHECK(verify_with(token, good, why) == OIDC_OK);
	free(good);
	free(token);
}

static void each_claim_rule_refuses(void)
{
	char why[256];
	json_t *c;
	c = good_claims(), json_object_set_new(c, "iss", json_string("https://evil.example"));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "issuer"));
	c = good_claims(), json_object_del(c, "iss");
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM);
	c = good_claims(), json_object_set_new(c, "aud", json_string("someone-else"));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "aud"));
	c = good_claims(), json_object_set_new(c, "aud", json_pack("[s,s]", "a", "nextstage"));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "azp")); /* several: azp needed */
	c = good_claims(), json_object_set_new(c, "aud", json_pack("[s,s]", "a", "nextstage"));
	json_object_set_new(c, "azp", json_string("nextstage"));
	CHECK(verdict(c, why) == OIDC_OK);
	c = good_claims(), json_object_set_new(c, "azp", json_string("another-client"));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "azp"));
	c = good_claims(), json_object_set_new(c, "exp", json_integer(NOW - OIDC_LEEWAY_S - 1));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "exp"));
	c = good_claims(), json_object_set_new(c, "exp", json_integer(NOW - 10)); /* skew */
	CHECK(verdict(c, why) == OIDC_OK);
	c = good_claims(), json_object_del(c, "exp");
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM);
	c = good_claims(), json_object_set_new(c, "iat", json_integer(NOW + OIDC_LEEWAY_S + 5));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "iat"));
	c = good_claims(), json_object_set_new(c, "iat", json_integer(NOW - 3 * OIDC_MAX_AGE_S));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "iat"));
	c = good_claims(), json_object_set_new(c, "nonce", json_string("another-sign-in-nonce"));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "nonce"));
	c = good_claims(), json_object_del(c, "nonce");
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM);
	c = good_claims(), json_object_set_new(c, "sub", json_string(""));
	CHECK(verdict(c, why) == OIDC_BAD_CLAIM && strstr(why, "sub"));
}

static void what_the_token_says_of_the_email(void)
{
	struct oidc_identity who;
	char why[256];
	char *jwks = jwks_of(key, NULL);
	json_t *c = good_claims();
	json_object_set_new(c, "email_verified", json_string("false"));
	json_object_del(c, "name");
	json_object_set_new(c, "preferred_username", json_string("ada"));
	char *token = sign(key, "RS256", c);
	CHECK(oidc_verify(token, jwks, &expect, &who, why, sizeof why) == OIDC_OK);
	CHECK(who.email_verified == 0);
	CHECK_STR(who.name, "ada");
	free(token);
	c = good_claims();
	json_object_del(c, "email_verified");
	json_object_del(c, "email");
	token = sign(key, "RS256", c);
	CHECK(oidc_verify(token, jwks, &expect, &who, why, sizeof why) == OIDC_OK);
	CHECK(who.email_verified == -1 && who.email[0] == '\0');
	free(token);
	free(jwks);
}

static void pkce_challenge_is_rfc_7636s(void)
{
	char out[OIDC_CHALLENGE_CHARS + 1];
	oidc_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", out); /* appendix B */
	CHECK_STR(out, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void the_authorization_url_encodes_its_parameters(void)
{
	char *u = oidc_authorize_url("https://idp.example/auth", "my client",
				     "https://ns.example/api/v1/sso/callback", "st", "no", "ch");
	CHECK_STR(u,
		  "https://idp.example/auth?response_type=code&client_id=my%20client&redirect_uri="
		  "https%3A%2F%2Fns.example%2Fapi%2Fv1%2Fsso%2Fcallback&scope=openid%20email%20"
		  "profile&state=st&nonce=no&code_challenge=ch&code_challenge_method=S256");
	free(u);
	u = oidc_authorize_url("https://idp.example/auth?tenant=1", "c", "r", "s", "n", "x");
	CHECK(u != NULL &&
	      strncmp(u, "https://idp.example/auth?tenant=1&response_type=code", 51) == 0);
	free(u);
	char small[4];
	CHECK(!oidc_urlencode("a b", small, sizeof small));
}

static void the_token_answer_gives_the_id_token_or_the_error(void)
{
	char *tok, *access;
	char why[256];
	CHECK(oidc_token_answer("{\"id_token\":\"a.b.c\",\"access_token\":\"x\"}", &tok, &access,
				why, 256));
	CHECK_STR(tok, "a.b.c");
	CHECK_STR(access, "x");
	free(tok);
	free(access);
	CHECK(oidc_token_answer("{\"id_token\":\"a.b.c\"}", &tok, &access, why, 256));
	CHECK(access == NULL);
	free(tok);
	CHECK(!oidc_token_answer("{\"error\":\"invalid_grant\",\"error_description\":\"used\"}",
				 &tok, &access, why, 256));
	CHECK(tok == NULL && strstr(why, "invalid_grant: used"));
	CHECK(!oidc_token_answer("{\"access_token\":\"x\"}", &tok, &access, why, 256) &&
	      strstr(why, "no id_token") && access == NULL);
	CHECK(!oidc_token_answer("<html>", &tok, &access, why, 256) && strstr(why, "JSON"));
	CHECK(!oidc_token_answer(NULL, &tok, &access, why, 256));
}

static void userinfo_completes_an_id_token_without_email(void)
{
	struct oidc_identity who = {
	    .subject = "u-1", .email_verified = -1, .name = "From the token"};
	char why[256];
	CHECK(oidc_userinfo("{\"sub\":\"u-1\",\"email\":\"a@b.example\",\"email_verified\":true,"
			    "\"name\":\"From userinfo\"}",
			    &who, why, sizeof why));
	CHECK_STR(who.email, "a@b.example");
	CHECK(who.email_verified == 1);
	CHECK_STR(who.name, "From the token"); /* the ID token's stays */
	struct oidc_identity someone = {.subject = "u-1"};
	CHECK(!oidc_userinfo("{\"sub\":\"u-2\",\"email\":\"evil@b.example\"}", &someone, why, 256));
	CHECK(strstr(why, "subject") && someone.email[0] == '\0');
	CHECK(!oidc_userinfo("{\"email\":\"evil@b.example\"}", &someone, why, 256));
	CHECK(!oidc_userinfo("not json", &someone, why, 256));
}

static void next_stays_on_this_site(void)
{
	CHECK(oidc_next_ok("/app/"));
	CHECK(oidc_next_ok("/app/deals?stage=proposal&x=%2F%2F"));
	const char *bad[] = {"",
			     "app",
			     "//evil.example",
			     "/\\evil.example",
			     "https://x.example",
			     "/app/\r\nX: y",
			     "/app/ space",
			     "/app/\\..",
			     "/caf\xc3\xa9",
			     "javascript:alert(1)"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(!oidc_next_ok(bad[i]));
	CHECK(!oidc_next_ok(NULL));
	char longer[1100];
	memset(longer, 'a', sizeof longer - 1);
	longer[0] = '/', longer[sizeof longer - 1] = '\0';
	CHECK(!oidc_next_ok(longer));
}

int main(void)
{
	crypto_init();
	cjose_err err;
	key = cjose_jwk_create_RSA_random(2048, NULL, 0, &err);
	other = cjose_jwk_create_RSA_random(2048, NULL, 0, &err);
	ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
	cjose_jwk_set_kid(key, "k-main", 6, &err);
	cjose_jwk_set_kid(other, "k-other", 7, &err);
	cjose_jwk_set_kid(ec, "k-ec", 4, &err);
	TEST(a_good_token_names_the_person);
	TEST(an_ec_key_verifies_es256);
	TEST(a_token_signed_by_another_key_is_refused);
	TEST(changed_claims_break_the_signature);
	TEST(none_and_hmac_are_not_taken);
	TEST(a_jwks_libcjose_would_abort_on_is_passed_over);
	TEST(each_claim_rule_refuses);
	TEST(what_the_token_says_of_the_email);
	TEST(pkce_challenge_is_rfc_7636s);
	TEST(the_authorization_url_encodes_its_parameters);
	TEST(the_token_answer_gives_the_id_token_or_the_error);
	TEST(userinfo_completes_an_id_token_without_email);
	TEST(next_stays_on_this_site);
	cjose_jwk_release(key);
	cjose_jwk_release(other);
	cjose_jwk_release(ec);
	return HARNESS_EXIT();
}
