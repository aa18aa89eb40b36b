/* The signatures of signed routes, computed and compared: the CRM
 * webhook's HMAC-SHA256 of the exact body (X-Nextstage-Signature) and
 * HubSpot's of method, URI, body and timestamp (X-HubSpot-Signature-v3).
 * Nothing here reads the database or the request: signed.c finds the
 * secrets and the request's parts (and the fuzz tier calls these alone). */
#include "auth.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Room for HubSpot's signed string's URI part (public URL and path). */
#define URI_MAX 4096

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

/* The character HubSpot decodes for the escape at @s ("%3A"...), or 0. */
static char hubspot_unescape(const char *s)
{
	static const char *const escapes[] = {"3A:", "2F/", "3F?", "40@", "21!", "24$",
					      "27'", "28(", "29)", "2A*", "2C,", "3B;"};
	if (s[0] != '%' || s[1] == '\0' || s[2] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
		if (s[1] == escapes[i][0] && toupper((unsigned char)s[2]) == escapes[i][1])
			return escapes[i][2];
	return 0;
}

/* Appends @s to @out (at *@o, @outlen bytes) with HubSpot's decoding;
 * false when it does not fit. */
static bool append_decoded(const char *s, char *out, size_t outlen, size_t *o)
{
	for (; *s != '\0'; s++) {
		char c = hubspot_unescape(s);
		if (*o + 1 >= outlen)
			return false;
		out[(*o)++] = c ? c : *s;
		if (c)
			s += 2;
	}
	return true;
}

bool auth_hubspot_uri(const char *public_url, const char *uri, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen == 0 || !append_decoded(public_url, out, outlen, &o) ||
	    !append_decoded(uri, out, outlen, &o))
		return false;
	out[o] = '\0';
	return true;
}

bool auth_hubspot_fresh(const char *timestamp, long long now_ms)
{
	if (timestamp == NULL || *timestamp == '\0' || strlen(timestamp) > 15 ||
	    strspn(timestamp, "0123456789") != strlen(timestamp))
		return false;
	long long t = strtoll(timestamp, NULL, 10);
	return llabs(now_ms - t) <= AUTH_HUBSPOT_MAX_SKEW_MS;
}

/* Whether @s holds only characters of base64 (RFC 4648, section 4) and its
 * padding. libsodium 1.0.18 decodes every byte 0x80-0xFF as '/', so a
 * signature must be checked before it is decoded (tests/fuzz found it). */
static bool base64_text(const char *s)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	return strspn(s, alphabet) == strlen(s);
}

bool auth_hubspot_ok(const char *secret, const char *public_url,
		     const struct auth_signed_request *sr)
{
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	size_t n = 0;
	const char *end = NULL;
	char uri[URI_MAX];
	if (secret == NULL || *secret == '\0' || sr->signature == NULL || sr->timestamp == NULL ||
	    !base64_text(sr->signature) ||
	    sodium_base642bin(got, sizeof got, sr->signature, strlen(sr->signature), NULL, &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != sizeof got || *end != '\0' ||
	    !auth_hubspot_uri(public_url, sr->uri, uri, sizeof uri))
		return false;
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sr->method, strlen(sr->method));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)uri, strlen(uri));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sr->body, sr->len);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)sr->timestamp,
				      strlen(sr->timestamp));
	crypto_auth_hmacsha256_final(&st, want);
	return sodium_memcmp(want, got, sizeof want) == 0;
}
