/* Randomness, hashing and passwords (libsodium). */
#ifndef NS_CRYPTO_H
#define NS_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */

/* Initialises libsodium and the dummy hash used for unknown users.
 * Returns 0 or -1. Call once before threads start. */
int crypto_init(void);

/* A fresh random token: 256 bits as base64url without padding, @prefix first.
 * @out needs strlen(prefix) + TOKEN_CHARS + 1 bytes. */
void crypto_token(const char *prefix, char *out);

void crypto_sha256(const void *data, size_t len, unsigned char out[32]);

/* HMAC-SHA256 of @len bytes at @data under @key. */
void crypto_hmac(const unsigned char key[32], const void *data, size_t len, unsigned char out[32]);

/* Argon2id (libsodium's interactive limits). Returns 0, or -1 when memory is short. */
int crypto_password_hash(const char *password, char *out, size_t outlen);

/* True if @password matches @hash. With @hash NULL it verifies against a
 * dummy hash and returns false, so unknown users cost the same time. */
bool crypto_password_verify(const char *hash, const char *password);

/* Constant-time equality of two buffers of @len bytes. */
bool crypto_equal(const void *a, const void *b, size_t len);

/* Zeroes @len bytes at @p (not optimised away). */
void crypto_wipe(void *p, size_t len);

/* Lowercase hex of @len bytes into @out (2*len+1). */
void crypto_hex(const unsigned char *in, size_t len, char *out);

/* Sealed secrets: libsodium's secretbox (XSalsa20-Poly1305) under a
 * 32-byte key, a random nonce first, so a box is CRYPTO_SEAL_OVERHEAD bytes
 * longer than what it holds. */
#define CRYPTO_SEAL_OVERHEAD 40
/* Seals the @len bytes of @plain into @box (room for @len +
 * CRYPTO_SEAL_OVERHEAD). Can't fail. */
void crypto_seal(const unsigned char key[32], const void *plain, size_t len, unsigned char *box);
/* Opens the @len bytes of @box into @plain (room for @len -
 * CRYPTO_SEAL_OVERHEAD + 1; NUL-terminated). False when @box is too short,
 * altered or sealed under another key. */
bool crypto_open(const unsigned char key[32], const unsigned char *box, size_t len, char *plain);

#endif
