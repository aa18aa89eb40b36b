/* GET /s/{token}: the tracked link a prospect opens. The lookup and the
 * open are one job of the group-commit writer, which runs the opens of a
 * batch in one call of open_links() (schema/0010, 0016), so the
 * open is committed, with other requests' opens, before the answer goes
 * out; bots are recorded as bots. Unknown tokens (404), revoked or
 * expired ones and those of retired assets (410) take the same path. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "db_assets.h"
#include "db_writer.h"
#include "handlers.h"

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
		/* a short page for a browser, the problem otherwise */
		reply_public_error(r, ERR_GONE, NULL,
				   "this content has been retired by its publisher");
		return;
	}
	json_t *t = json_loads(w->result, 0, NULL);
	struct asset_content c;
	const char *url = target_content(t, &c);
	if (url != NULL) {
		reply_header(r, "Location", url);
		reply_empty(r, 302);
	} else {
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
	struct job_wait *w = job_wait_attach(r);
	if (w == NULL)
		return;
	struct visitor v;
	visitor_of(r, &v);
	const char *p[] = {token, v.hash, v.ua, v.bot};
	job_wait_submit(r, w, DB_JOB_OPEN, 4, p, NULL);
}
