/* Routes signed instead of authenticated (AUTH_SIGNED): the caller holds
 * the webhook secret and proves it with an HMAC-SHA256 of the exact body. */
#include "auth.h"

#include <sodium.h>
#include <string.h>
#include "config.h"

bool auth_signature_ok(const char *secret, const char *header, const char *body, size_t len)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t n = 0;
	if (secret == NULL || *secret == '\0' || header == NULL ||
	    strncmp(header, "sha256=", 7) != 0 || strlen(header + 7) != 2 * sizeof got ||
	    sodium_hex2bin(got, sizeof got, header + 7, 2 * sizeof got, NULL, &n, NULL) != 0 ||
	    n != sizeof got)
		return false;
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, want);
	return sodium_memcmp(want, got, sizeof want) == 0;
}

bool auth_signed(const char *header, const char *body, size_t len)
{
	return auth_signature_ok(config.webhook_secret, header, body, len);
}
