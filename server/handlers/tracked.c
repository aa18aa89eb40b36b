/* GET /s/{token}: the tracked link a prospect opens. The open is committed
 * before the answer goes out; bots are recorded as bots. Unknown tokens
 * (404) and revoked or expired ones (410) cost the same single lookup. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include "bots.h"
#include "db_shares.h"
#include "handlers.h"

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char client_key[32];
static bool have_key;

/* HMAC-SHA256 of the client address under the database's key; false when
 * the key can't be read (the address is then not recorded at all). */
static bool client_hash(const struct req *r, unsigned char out[32])
{
	pthread_mutex_lock(&key_lock);
	if (!have_key)
		have_key = db_client_key(client_key) == DB_OK;
	bool ok = have_key;
	if (ok) {
		char addr[64];
		req_client(r, addr, sizeof addr);
		crypto_auth_hmacsha256(out, (const unsigned char *)addr, strlen(addr), client_key);
	}
	pthread_mutex_unlock(&key_lock);
	return ok;
}

void h_tracked_open(struct req *r)
{
	const char *token = req_param(r, 0);
	struct share_target t;
	enum db_status s = strlen(token) <= 64 ? db_share_resolve(token, &t) : DB_NOT_FOUND;
	if (s == DB_OK && t.gone) {
		reply_error(r, ERR_GONE, NULL, "this link was revoked or has expired");
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	const char *ua = req_header(r, "User-Agent");
	const char *bot = bot_reason(req_method(r), ua);
	unsigned char hash[32];
	bool hashed = client_hash(r, hash);
	s = db_open_record(t.id, hashed ? hash : NULL, ua_class(ua, bot), bot);
	if (s != DB_OK) {
		reply_db(r, s); /* not recorded: not served */
		return;
	}
	if (t.url[0] != '\0') {
		reply_header(r, "Location", t.url);
		reply_empty(r, 302);
		return;
	}
	reply_content(r, &t.content, "private, no-cache");
}
