/* Randomness, hashing and passwords on libsodium. */
#include "crypto.h"

#include <sodium.h>
#include <string.h>

/* Verified against when the email is unknown, so that a wrong email costs
 * what a wrong password costs (no user enumeration by timing). */
static char dummy_hash[crypto_pwhash_STRBYTES];

int crypto_init(void)
{
	if (sodium_init() < 0)
		return -1;
	char pw[TOKEN_CHARS + 1];
	crypto_token("", pw);
	return crypto_password_hash(pw, dummy_hash, sizeof dummy_hash);
}

void crypto_token(const char *prefix, char *out)
{
	unsigned char raw[TOKEN_BYTES];
	randombytes_buf(raw, sizeof raw);
	size_t pl = strlen(prefix);
	memcpy(out, prefix, pl);
	sodium_bin2base64(out + pl, TOKEN_CHARS + 1, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void crypto_sha256(const void *data, size_t len, unsigned char out[32])
{
	crypto_hash_sha256(out, data, len);
}

void crypto_hmac(const unsigned char key[32], const void *data, size_t len, unsigned char out[32])
{
	crypto_auth_hmacsha256(out, data, len, key);
}

int crypto_password_hash(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str_alg(
	    out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

bool crypto_password_verify(const char *hash, const char *password)
{
	bool known = hash != NULL;
	int rc = crypto_pwhash_str_verify(known ? hash : dummy_hash, password, strlen(password));
	return known && rc == 0;
}

bool crypto_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

void crypto_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

void crypto_hex(const unsigned char *in, size_t len, char *out)
{
	sodium_bin2hex(out, 2 * len + 1, in, len);
}

void crypto_seal(const unsigned char key[32], const void *plain, size_t len, unsigned char *box)
{
	_Static_assert(CRYPTO_SEAL_OVERHEAD ==
			   crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
		       "CRYPTO_SEAL_OVERHEAD is secretbox's nonce and MAC");
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, len, box, key);
}

bool crypto_open(const unsigned char key[32], const unsigned char *box, size_t len, char *plain)
{
	if (len < CRYPTO_SEAL_OVERHEAD)
		return false;
	size_t n = len - CRYPTO_SEAL_OVERHEAD;
	if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
				       len - crypto_secretbox_NONCEBYTES, box, key) != 0)
		return false;
	plain[n] = '\0';
	return true;
}
