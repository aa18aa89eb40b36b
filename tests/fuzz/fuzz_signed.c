/* The webhooks' signatures (server/http/signed.c, include/auth.h): the CRM
 * webhook's X-Nextstage-Signature (sha256=<hex HMAC-SHA256 of the body>)
 * and HubSpot's v3 signature (base64 HMAC-SHA256 of method, URI, body and
 * timestamp, with HubSpot's decoding of the URI), under a fixed secret.
 *
 * The input: lines for X-Nextstage-Signature, X-HubSpot-Signature-v3,
 * X-HubSpot-Request-Timestamp, the request URI and the public URL, one
 * byte that picks a character of a good signature and one to put there,
 * then the body. Each verifier is held against a model written here: the
 * header as sent verifies exactly when it is the right HMAC (hex in either
 * case, base64 as libsodium writes it); the right signature verifies, and
 * one with a character changed only when that changes nothing; the URI
 * decodes as HubSpot's twelve escapes say, and a buffer too small is
 * refused; a timestamp is fresh exactly within five minutes. */
#include <ctype.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>
#include "auth.h"
#include "fuzz.h"

#define SECRET "whsec_fuzz-fixed-secret"
#define NOW_MS 1764806400000LL /* 2025-12-04 */

/* Splits off the text before the next LF of *@p (*@left bytes) as a new
 * NUL-terminated string; NULL when there is no LF. */
static char *take_line(const char **p, size_t *left)
{
	const char *lf = memchr(*p, '\n', *left);
	if (lf == NULL)
		return NULL;
	size_t n = (size_t)(lf - *p);
	char *s = malloc(n + 1);
	if (s != NULL) {
		memcpy(s, *p, n);
		s[n] = '\0';
	}
	*left -= n + 1;
	*p = lf + 1;
	return s;
}

static void hmac(const char *parts[], const size_t lens[], size_t n,
		 unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
	for (size_t i = 0; i < n; i++)
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], lens[i]);
	crypto_auth_hmacsha256_final(&st, out);
}

static void crm(const char *header, const char *body, size_t len, unsigned at, unsigned put)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const char *parts[] = {body};
	size_t lens[] = {len};
	hmac(parts, lens, 1, mac);
	char good[7 + 2 * sizeof mac + 1] = "sha256=";
	sodium_bin2hex(good + 7, sizeof good - 7, mac, sizeof mac);
	bool right = strncmp(header, "sha256=", 7) == 0 && strlen(header) == strlen(good) &&
		     strcasecmp(header + 7, good + 7) == 0;
	FUZZ_CHECK(auth_signature_ok(SECRET, header, body, len) == right);
	FUZZ_CHECK(auth_signature_ok(SECRET, good, body, len));
	FUZZ_CHECK(!auth_signature_ok("", good, body, len));
	FUZZ_CHECK(!auth_signature_ok(NULL, good, body, len));
	FUZZ_CHECK(!auth_signature_ok(SECRET, NULL, body, len));
	char bent[sizeof good];
	memcpy(bent, good, sizeof good);
	size_t i = at % (sizeof good - 1);
	bent[i] = (char)(put ? put : 1);
	bool same = i >= 7 ? tolower((unsigned char)bent[i]) == good[i] : bent[i] == good[i];
	FUZZ_CHECK(auth_signature_ok(SECRET, bent, body, len) == same);
}

static const char escapes[][3] = {"3A", "2F", "3F", "40", "21", "24",
				  "27", "28", "29", "2A", "2C", "3B"};

/* HubSpot's decoding of @s appended to @out at *@o (room enough). */
static void model_decode(const char *s, char *out, size_t *o)
{
	while (*s) {
		bool hit = false;
		for (size_t k = 0; !hit && k < sizeof escapes / sizeof escapes[0] && s[0] == '%';
		     k++)
			if (s[1] == escapes[k][0] && s[1] != '\0' && s[2] != '\0' &&
			    toupper((unsigned char)s[2]) == escapes[k][1]) {
				unsigned v = (unsigned)strtoul(escapes[k], NULL, 16);
				out[(*o)++] = (char)v;
				s += 3;
				hit = true;
			}
		if (!hit)
			out[(*o)++] = *s++;
	}
	out[*o] = '\0';
}

static void hubspot(const char *sig, const char *ts, const char *uri, const char *url,
		    const char *body, size_t len, unsigned at, unsigned put)
{
	size_t room = strlen(url) + strlen(uri) + 1;
	char *want = malloc(room), *got = malloc(room), *small = malloc(at % 64 + 1);
	if (want == NULL || got == NULL || small == NULL)
		goto out;
	size_t o = 0;
	model_decode(url, want, &o);
	model_decode(uri, want, &o);
	FUZZ_CHECK(auth_hubspot_uri(url, uri, got, room));
	FUZZ_CHECK(strcmp(got, want) == 0);
	size_t slen = at % 64 + 1;
	if (auth_hubspot_uri(url, uri, small, slen))
		FUZZ_CHECK(strcmp(small, want) == 0);
	else
		FUZZ_CHECK(strlen(want) + 1 > slen);

	const char *parts[] = {"POST", want, body, ts};
	size_t lens[] = {4, strlen(want), len, strlen(ts)};
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac(parts, lens, 4, mac);
	char good[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
					    sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(good, sizeof good, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
	struct auth_signed_request sr = {.method = "POST",
					 .uri = uri,
					 .body = body,
					 .len = len,
					 .signature = sig,
					 .timestamp = ts,
					 .now_ms = NOW_MS};
	bool ok = auth_hubspot_ok(SECRET, url, &sr);
	/* the full URI may not fit the verifier's buffer: then nothing verifies */
	bool fits = strlen(want) < 4096;
	FUZZ_CHECK(ok == (fits && strcmp(sig, good) == 0));
	sr.signature = good;
	FUZZ_CHECK(auth_hubspot_ok(SECRET, url, &sr) == fits);
	FUZZ_CHECK(!auth_hubspot_ok("", url, &sr));
	char bent[sizeof good];
	memcpy(bent, good, sizeof good);
	size_t i = at % (sizeof good - 1);
	bent[i] = (char)(put ? put : 1);
	sr.signature = bent;
	FUZZ_CHECK(auth_hubspot_ok(SECRET, url, &sr) == (fits && bent[i] == good[i]));
	sr.timestamp = NULL;
	FUZZ_CHECK(!auth_hubspot_ok(SECRET, url, &sr));

	size_t tn = strlen(ts);
	bool digits = tn >= 1 && tn <= 15 && strspn(ts, "0123456789") == tn;
	bool fresh = digits && llabs(NOW_MS - strtoll(ts, NULL, 10)) <= AUTH_HUBSPOT_MAX_SKEW_MS;
	FUZZ_CHECK(auth_hubspot_fresh(ts, NOW_MS) == fresh);
	FUZZ_CHECK(!auth_hubspot_fresh(NULL, NOW_MS));
out:
	free(want);
	free(got);
	free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;
	char *line[5] = {NULL};
	for (int i = 0; i < 5; i++)
		if ((line[i] = take_line(&p, &left)) == NULL)
			goto out;
	if (left < 2)
		goto out;
	unsigned at = (unsigned char)p[0], put = (unsigned char)p[1];
	size_t len = left - 2;
	char *body = malloc(len ? len : 1);
	if (body == NULL)
		goto out;
	memcpy(body, p + 2, len);
	crm(line[0], body, len, at, put);
	hubspot(line[1], line[2], line[3], line[4], body, len, at, put);
	free(body);
out:
	for (int i = 0; i < 5; i++)
		free(line[i]);
	return 0;
}
