/* Who is asking, wherever a request is recorded (tracked-link opens,
 * public pages, leads): the keyed hash that stands for the client's
 * address (never the address itself) and the bot rules' verdict. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
#include "bots.h"
#include "db_keys.h"
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

void visitor_of(const struct req *r, struct visitor *v)
{
	const char *ua = req_header(r, "User-Agent");
	v->bot = bot_reason(req_method(r), ua);
	v->ua = ua_class(ua, v->bot);
	v->hash = NULL;
	if (!key_ready())
		return;
	char addr[64];
	unsigned char hash[32];
	req_client(r, addr, sizeof addr);
	crypto_auth_hmacsha256(hash, (const unsigned char *)addr, strlen(addr), client_key);
	memcpy(v->hash_text, "\\x", 2); /* bytea's text form */
	sodium_bin2hex(v->hash_text + 2, sizeof v->hash_text - 2, hash, sizeof hash);
	v->hash = v->hash_text;
}
