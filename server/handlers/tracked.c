/* GET /s/{token}: the tracked link a prospect opens. The lookup and the
 * open are one job of the group-commit writer, which runs the opens of a
 * batch in one call of open_links() (schema/0010_open_batch.sql), so the
 * open is committed, with other requests' opens, before the answer goes
 * out; bots are recorded as bots. Unknown tokens (404) and revoked or
 * expired ones (410) take the same path. */
#include <pthread.h>
#include <stdlib.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include "bots.h"
#include "db_shares.h"
#include "db_writer.h"
#include "handlers.h"

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char client_key[32];
static atomic_bool have_key;

/* HMAC-SHA256 of the client address under the database's key; false when
 * the key can't be read (the address is then not recorded at all). The
 * key is read once; the lock only guards that first read. */
static bool client_hash(const struct req *r, unsigned char out[32])
{
	if (!atomic_load(&have_key)) {
		pthread_mutex_lock(&key_lock);
		if (!atomic_load(&have_key) && db_client_key(client_key) == DB_OK)
			atomic_store(&have_key, true);
		pthread_mutex_unlock(&key_lock);
		if (!atomic_load(&have_key))
			return false;
	}
	char addr[64];
	req_client(r, addr, sizeof addr);
	crypto_auth_hmacsha256(out, (const unsigned char *)addr, strlen(addr), client_key);
	return true;
}

/* A tracked-link request between its two runs: the lookup and the open
 * go to the group-commit writer as one job, and the request sleeps until
 * they are committed. */
static void open_free(void *p)
{
	struct job_wait *w = p;
	free(w->result);
	free(w);
}

static const char *text(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

/* 410 for a link to a retired asset: a short page for a browser, the
 * problem otherwise. */
static void retired(struct req *r)
{
	static const char page[] =
	    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>No longer available</title></head><body><h1>No longer available</h1>"
	    "<p>This content has been retired by its publisher.</p></body></html>\n";
	const char *accept = req_header(r, "Accept");
	char *body = accept && strstr(accept, "text/html") ? strdup(page) : NULL;
	if (body == NULL) {
		reply_error(r, ERR_GONE, NULL, "this content has been retired");
		return;
	}
	reply_header(r, "Content-Security-Policy", "default-src 'none'");
	reply_text(r, 410, "text/html; charset=utf-8", body, sizeof page - 1);
}

/* Second run: answer from what open_links() said of this open. */
static void answer(struct req *r)
{
	struct job_wait *w = r->state;
	if (w->status != DB_OK || w->result == NULL) {
		/* not recorded: not served */
		reply_db(r, w->status == DB_OK ? DB_ERROR : w->status);
		return;
	}
	if (strcmp(w->result, "missing") == 0) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	if (strcmp(w->result, "gone") == 0) {
		reply_error(r, ERR_GONE, NULL, "this link was revoked or has expired");
		return;
	}
	if (strcmp(w->result, "retired") == 0) {
		retired(r);
		return;
	}
	json_t *t = json_loads(w->result, 0, NULL);
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

/* Whether @token could be one: tokens are made of URL-safe base64 or hex
 * characters, 64 at most. Anything else is unknown without a lookup, and
 * never reaches (and fails) a batch of other requests' opens. */
static bool token_shaped(const char *token)
{
	size_t len =
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	return len > 0 && len <= 64 && token[len] == '\0';
}

void h_tracked_open(struct req *r)
{
	if (r->resumed) {
		answer(r);
		return;
	}
	const char *token = req_param(r, 0);
	if (!token_shaped(token)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	struct job_wait *w = calloc(1, sizeof *w);
	if (w == NULL) {
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		return;
	}
	r->state = w;
	r->state_free = open_free;
	const char *ua = req_header(r, "User-Agent");
	const char *bot = bot_reason(req_method(r), ua);
	unsigned char hash[32];
	char hex[2 + 2 * sizeof hash + 1] = "\\x"; /* bytea's text form */
	bool hashed = client_hash(r, hash);
	if (hashed)
		sodium_bin2hex(hex + 2, sizeof hex - 2, hash, sizeof hash);
	const char *p[] = {token, hashed ? hex : NULL, ua_class(ua, bot), bot};
	job_wait_submit(r, w, DB_JOB_OPEN, 4, p, NULL);
}
