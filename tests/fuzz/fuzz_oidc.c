/* Single sign-on's parsers (server/sso/oidc.c): an ID token and a JWKS as
 * a provider (or anyone between) could send them, the token endpoint's and
 * the userinfo endpoint's answers, and the next path a browser brings.
 *
 * The input: the ID token up to the first LF, then the JWKS up to the
 * next, then the rest (a token answer, a userinfo answer and a next path
 * all at once). Properties: nothing crashes or leaks; no ID token verifies,
 * since none here is signed by a key whose private half the input could
 * know (HMAC, the one signature an input could make under a key it gives,
 * is refused); a token answer's id_token is a copy of what the answer
 * holds; a next path that passes stays on the site. */
#include <jansson.h>
#include <string.h>
#include "crypto.h"
#include "fuzz.h"
#include "oidc.h"

static char *cut(const uint8_t **p, size_t *left)
{
	const uint8_t *lf = memchr(*p, '\n', *left);
	size_t n = lf ? (size_t)(lf - *p) : *left;
	char *s = malloc(n + 1);
	if (s != NULL) {
		memcpy(s, *p, n);
		s[n] = '\0';
	}
	*left -= lf ? n + 1 : n;
	*p += lf ? n + 1 : n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready)
		ready = crypto_init() == 0;
	const uint8_t *p = data;
	size_t left = size;
	char *token = cut(&p, &left), *jwks = cut(&p, &left), *rest = cut(&p, &left);
	if (token == NULL || jwks == NULL || rest == NULL)
		goto out;
	struct oidc_expect x = {"https://idp.example", "nextstage", "nonce-nonce-nonce-1", 1800000000LL};
	struct oidc_identity who;
	char why[256];
	enum oidc_result r = oidc_verify(token, jwks, &x, &who, why, sizeof why);
	FUZZ_CHECK(r != OIDC_OK);
	char *id = NULL, *access = NULL;
	if (oidc_token_answer(rest, &id, &access, why, sizeof why)) {
		json_t *j = json_loads(rest, 0, NULL);
		FUZZ_CHECK(strcmp(id, json_string_value(json_object_get(j, "id_token"))) == 0);
		json_decref(j);
	} else {
		FUZZ_CHECK(id == NULL && access == NULL);
	}
	free(id);
	free(access);
	struct oidc_identity info = {.subject = "u-1", .email_verified = -1};
	if (oidc_userinfo(rest, &info, why, sizeof why))
		FUZZ_CHECK(strlen(info.email) <= EMAIL_MAX && strcmp(info.subject, "u-1") == 0);
	if (oidc_next_ok(rest))
		FUZZ_CHECK(rest[0] == '/' && rest[1] != '/' && rest[1] != '\\' &&
			   strpbrk(rest, "\r\n\\ ") == NULL);
out:
	free(token);
	free(jwks);
	free(rest);
	return 0;
}
