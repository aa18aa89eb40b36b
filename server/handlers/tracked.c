/* GET /s/{token}: the tracked link a prospect opens. The open is committed
 * (by the group-commit writer, with other requests' opens) before the
 * answer goes out; bots are recorded as bots. Unknown tokens
 * (404) and revoked or expired ones (410) cost the same single lookup. */
#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include "bots.h"
#include "db_shares.h"
#include "db_writer.h"
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

/* A tracked-link request between its two runs: the open goes to the
 * group-commit writer and the request sleeps until it is committed. */
struct open {
	struct req *r;
	struct share_target t;
	enum db_status recorded;
};

static void recorded(void *cls, enum db_status s, const char *result)
{
	(void)result;
	struct open *o = cls;
	o->recorded = s;
	req_resume(o->r);
}

/* Second run: the open is committed (or failed); answer. */
static void answer(struct req *r)
{
	struct open *o = r->state;
	if (o->recorded != DB_OK) {
		reply_db(r, o->recorded); /* not recorded: not served */
		return;
	}
	if (o->t.url[0] != '\0') {
		reply_header(r, "Location", o->t.url);
		reply_empty(r, 302);
		return;
	}
	reply_content(r, &o->t.content, "private, no-cache");
}

void h_tracked_open(struct req *r)
{
	if (r->resumed) {
		answer(r);
		return;
	}
	const char *token = req_param(r, 0);
	struct open *o = calloc(1, sizeof *o);
	if (o == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	r->state = o;
	r->state_free = free;
	o->r = r;
	enum db_status s = strlen(token) <= 64 ? db_share_resolve(token, &o->t) : DB_NOT_FOUND;
	if (s == DB_OK && o->t.gone) {
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
	const char *p[] = {o->t.id, hashed ? (const char *)hash : NULL, ua_class(ua, bot), bot};
	const int lengths[] = {0, hashed ? 32 : 0, 0, 0};
	struct db_job *job = db_job_new(DB_JOB_OPEN, 4, p, lengths, recorded, o);
	if (job == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	req_defer(r);
	db_job_submit(job);
}
