/* GET /s/{token}: the tracked link a prospect opens. The lookup and the
 * open are one job of the group-commit writer (open_link() in SQL), so the
 * open is committed, with other requests' opens, before the answer goes
 * out; bots are recorded as bots. Unknown tokens (404) and revoked or
 * expired ones (410) take the same path. */
#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdio.h>
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

/* A tracked-link request between its two runs: the lookup and the open
 * go to the group-commit writer as one job, and the request sleeps until
 * they are committed. */
struct open {
	struct req *r;
	enum db_status status;
	char *target; /* open_link()'s answer */
};

static void opened(void *cls, enum db_status s, const char *target)
{
	struct open *o = cls;
	o->status = s;
	o->target = target ? strdup(target) : NULL;
	req_resume(o->r);
}

static void open_free(void *p)
{
	struct open *o = p;
	free(o->target);
	free(o);
}

static const char *text(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* Second run: answer from what open_link() said. */
static void answer(struct req *r)
{
	struct open *o = r->state;
	if (o->status != DB_OK || o->target == NULL) {
		reply_db(r,
			 o->status == DB_OK ? DB_ERROR : o->status); /* not recorded: not served */
		return;
	}
	if (strcmp(o->target, "missing") == 0) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	if (strcmp(o->target, "gone") == 0) {
		reply_error(r, ERR_GONE, NULL, "this link was revoked or has expired");
		return;
	}
	json_t *t = json_loads(o->target, 0, NULL);
	const char *url = json_string_value(json_object_get(t, "url"));
	if (url != NULL) {
		reply_header(r, "Location", url);
		reply_empty(r, 302);
	} else {
		struct asset_content c = {
		    .blob = json_integer_value(json_object_get(t, "blob")),
		    .size = (uint64_t)json_integer_value(json_object_get(t, "size")),
		    .version = (int)json_integer_value(json_object_get(t, "version")),
		};
		snprintf(c.sha256, sizeof c.sha256, "%s", text(t, "sha256"));
		snprintf(c.mime, sizeof c.mime, "%s", text(t, "mime"));
		snprintf(c.filename, sizeof c.filename, "%s", text(t, "filename"));
		reply_content(r, &c, "private, no-cache");
	}
	json_decref(t);
}

void h_tracked_open(struct req *r)
{
	if (r->resumed) {
		answer(r);
		return;
	}
	const char *token = req_param(r, 0);
	if (strlen(token) > 64) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	struct open *o = calloc(1, sizeof *o);
	if (o == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	r->state = o;
	r->state_free = open_free;
	o->r = r;
	const char *ua = req_header(r, "User-Agent");
	const char *bot = bot_reason(req_method(r), ua);
	unsigned char hash[32];
	bool hashed = client_hash(r, hash);
	const char *p[] = {token, hashed ? (const char *)hash : NULL, ua_class(ua, bot), bot};
	const int lengths[] = {0, hashed ? 32 : 0, 0, 0};
	struct db_job *job = db_job_new(DB_JOB_OPEN, 4, p, lengths, opened, o);
	if (job == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	req_defer(r);
	db_job_submit(job);
}
