/* GET /s/{token}: the tracked link a prospect opens. The lookup and the
 * open are one group-committed job (db_opens.h), so the open is
 * committed, with other requests' opens, before the answer goes out; the
 * request sleeps meanwhile and this handler runs again to answer. Unknown
 * tokens (404), revoked or expired ones and those of retired assets (410)
 * take the same path. */
#include <stdlib.h>
#include <string.h>
#include "db_opens.h"
#include "handlers.h"
#include "public.h"

/* Second run: answer from what became of the open. */
static void answer(struct req *r, const struct db_open *o)
{
	enum db_open_state state;
	struct db_target t;
	enum db_status s = db_open_outcome(o, &state, &t);
	if (s != DB_OK) { /* not recorded: not served */
		reply_db(r, s);
		return;
	}
	switch (state) {
	case DB_OPEN_MISSING:
		reply_db(r, DB_NOT_FOUND);
		break;
	case DB_OPEN_GONE:
		reply_error(r, ERR_GONE, NULL, "this link was revoked or has expired");
		break;
	case DB_OPEN_RETIRED: /* a short page for a browser, the problem otherwise */
		reply_public_error(r, ERR_GONE, NULL,
				   "this content has been retired by its publisher");
		break;
	case DB_OPEN_SERVED:
		if (t.url != NULL) {
			reply_header(r, "Location", t.url);
			reply_empty(r, 302);
		} else {
			reply_content(r, &t.file, "private, no-cache");
		}
		break;
	}
	db_target_clear(&t);
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

static void open_clear(void *o)
{
	db_open_clear(o);
}

void h_tracked_open(struct req *r)
{
	if (r->resumed) {
		answer(r, r->state);
		return;
	}
	const char *token = req_param(r, 0);
	if (!token_shaped(token)) {
		reply_db(r, DB_NOT_FOUND);
		return;
	}
	struct db_open *o = req_state_new(r, sizeof *o, open_clear);
	if (o == NULL)
		return;
	struct visitor v;
	req_visitor(r, &v);
	db_open_submit(o, token, &v, req_wait(r));
}
