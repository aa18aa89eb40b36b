/* Signed webhooks: HubSpot's v3 signature (the URI it signs, the
 * timestamp window) and secrets sealed at rest. */
#include <sodium.h>
#include "auth.h"
#include "crypto.h"
#include "harness.h"

static void hubspot_uri_decodes_what_hubspot_decodes(void)
{
	char out[256];
	CHECK(auth_hubspot_uri("https://h.example/ns", "/api/v1/hooks/hubspot?a=%3a%3A&b=%20%2f",
			       out, sizeof out));
	CHECK_STR(out, "https://h.example/ns/api/v1/hooks/hubspot?a=::&b=%20/");
	CHECK(auth_hubspot_uri("", "%21%24%27%28%29%2A%2C%3B%40%3F%25%2Q%3", out, sizeof out));
	CHECK_STR(out, "!$'()*,;@?%25%2Q%3");
	CHECK(!auth_hubspot_uri("https://h.example", "/long", out, 18));
	CHECK(auth_hubspot_uri("https://h.example", "/long", out, 23));
	CHECK_STR(out, "https://h.example/long");
}

static void hubspot_timestamps_within_5_minutes(void)
{
	long long now = 1700000000000LL;
	CHECK(auth_hubspot_fresh("1700000000000", now));
	CHECK(auth_hubspot_fresh("1699999700000", now)); /* exactly 5 minutes old */
	CHECK(!auth_hubspot_fresh("1699999699999", now));
	CHECK(auth_hubspot_fresh("1700000300000", now));
	CHECK(!auth_hubspot_fresh("1700000300001", now));
	CHECK(!auth_hubspot_fresh("", now));
	CHECK(!auth_hubspot_fresh(NULL, now));
	CHECK(!auth_hubspot_fresh("17e11", now));
	CHECK(!auth_hubspot_fresh("-1700000000000", now));
	CHECK(!auth_hubspot_fresh("99999999999999999999", now));
}

/* base64(HMAC-SHA256(secret, method + uri + body + timestamp)). */
static void sign(const char *secret, const char *source, char out[45])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)source, strlen(source));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(out, 45, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

static void hubspot_v3_signs_method_uri_body_and_timestamp(void)
{
	const char *secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy", *body = "[{\"eventId\":1}]";
	char sig[45];
	sign(secret,
	     "POSThttps://h.example/api/v1/hooks/hubspot?p=a:b[{\"eventId\":1}]1700000000000", sig);
	struct auth_signed_request sr = {
	    .method = "POST",
	    .uri = "/api/v1/hooks/hubspot?p=a%3Ab",
	    .body = body,
	    .len = strlen(body),
	    .signature = sig,
	    .timestamp = "1700000000000",
	};
	CHECK(auth_hubspot_ok(secret, "https://h.example", &sr));
	CHECK(!auth_hubspot_ok("other", "https://h.example", &sr));
	CHECK(!auth_hubspot_ok("", "https://h.example", &sr));
	CHECK(!auth_hubspot_ok(secret, "http://h.example", &sr));
	sr.timestamp = "1700000000001";
	CHECK(!auth_hubspot_ok(secret, "https://h.example", &sr));
	sr.timestamp = "1700000000000";
	sr.len--;
	CHECK(!auth_hubspot_ok(secret, "https://h.example", &sr));
	sr.len++;
	sr.method = "PUT";
	CHECK(!auth_hubspot_ok(secret, "https://h.example", &sr));
	sr.method = "POST";
	sig[43] = '\0'; /* padding cut */
	CHECK(!auth_hubspot_ok(secret, "https://h.example", &sr));
	sr.signature = NULL;
	CHECK(!auth_hubspot_ok(secret, "https://h.example", &sr));
}

static void sealed_secrets_open_under_their_key_only(void)
{
	unsigned char key[32], other[32], box[64 + CRYPTO_SEAL_OVERHEAD], box2[sizeof box];
	char plain[64 + 1];
	randombytes_buf(key, sizeof key);
	randombytes_buf(other, sizeof other);
	const char *secret = "whsec_0123456789abcdef0123456789abcdef";
	size_t len = strlen(secret);
	crypto_seal(key, secret, len, box);
	crypto_seal(key, secret, len, box2);
	CHECK(memcmp(box, box2, len + CRYPTO_SEAL_OVERHEAD) != 0); /* a fresh nonce each time */
	CHECK(memmem(box, len + CRYPTO_SEAL_OVERHEAD, secret, len) == NULL);
	CHECK(crypto_open(key, box, len + CRYPTO_SEAL_OVERHEAD, plain));
	CHECK_STR(plain, secret);
	CHECK(!crypto_open(other, box, len + CRYPTO_SEAL_OVERHEAD, plain));
	CHECK(!crypto_open(key, box, len + CRYPTO_SEAL_OVERHEAD - 1, plain));
	CHECK(!crypto_open(key, box, CRYPTO_SEAL_OVERHEAD - 1, plain));
	box[CRYPTO_SEAL_OVERHEAD + 3] ^= 1;
	CHECK(!crypto_open(key, box, len + CRYPTO_SEAL_OVERHEAD, plain));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	TEST(hubspot_uri_decodes_what_hubspot_decodes);
	TEST(hubspot_timestamps_within_5_minutes);
	TEST(hubspot_v3_signs_method_uri_body_and_timestamp);
	TEST(sealed_secrets_open_under_their_key_only);
	return HARNESS_EXIT();
}
