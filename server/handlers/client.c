/* The keyed hash that stands for a client's address wherever a request
 * is recorded (tracked-link opens, public pages, leads): never the
 * address itself. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include "db_shares.h"
#include "handlers.h"

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char client_key[32];
static atomic_bool have_key;

/* The key is read once; the lock only guards that first read. */
static bool key_ready(void)
{
	if (!atomic_load(&have_key)) {
		pthread_mutex_lock(&key_lock);
		if (!atomic_load(&have_key) && db_client_key(client_key) == DB_OK)
			atomic_store(&have_key, true);
		pthread_mutex_unlock(&key_lock);
	}
	return atomic_load(&have_key);
}

const char *client_hash(const struct req *r, char out[CLIENT_HASH_TEXT])
{
	if (!key_ready())
		return NULL;
	char addr[64];
	unsigned char hash[32];
	req_client(r, addr, sizeof addr);
	crypto_auth_hmacsha256(hash, (const unsigned char *)addr, strlen(addr), client_key);
	memcpy(out, "\\x", 2); /* bytea's text form */
	sodium_bin2hex(out + 2, CLIENT_HASH_TEXT - 2, hash, sizeof hash);
	return out;
}
