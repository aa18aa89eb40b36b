/* The tracked links a prospect opens:
 *   GET /s/{token}       the content, or for a person's browser the viewer
 *                        page (viewer_page.c) showing it; records an open
 *   GET /s/{token}/file  the viewer's fetch of the bytes, which names the
 *                        view id of its page and records no second open
 * The lookup and the open are one group-committed job (db_opens.h), so
 * the open is committed, with other requests' opens, before the answer
 * goes out; the request sleeps meanwhile and this handler runs again to
 * answer. Unknown tokens (404), revoked or expired ones and those of
 * retired assets (410) take the same path; a browser gets them as a short
 * page, anything else as problem+json. Scripts, bots and HEAD get the
 * content as before the viewer existed, byte for byte. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_engagement.h"
#include "db_opens.h"
#include "handlers.h"
#include "public.h"

/* A tracked link that is not there: a page for a browser; for anything
 * else, the same problem as before there was a page. */
static void reply_dead(struct req *r, enum db_open_state state)
{
	bool html = public_wants_html(r);
	switch (state) {
	case DB_OPEN_MISSING:
		if (html)
			reply_public_error(r, ERR_NOT_FOUND, NULL, "there is no link here");
		else
			reply_db(r, DB_NOT_FOUND);
		break;
	case DB_OPEN_GONE:
		if (html)
			reply_public_error(r, ERR_GONE, NULL,
					   "this link was revoked or has expired");
		else
			reply_error(r, ERR_GONE, NULL, "this link was revoked or has expired");
		break;
	case DB_OPEN_RETIRED:
		reply_public_error(r, ERR_GONE, NULL,
				   "this content has been retired by its publisher");
		break;
	case DB_OPEN_SERVED:
		reply_error(r, ERR_INTERNAL, NULL, NULL);
		break;
	}
}

/* An open in flight: the writer's job and, for a person's browser, the
 * view id its page will carry. */
struct tracked {
	struct db_open open;
	bool viewer;
	char view[37];
};

/* Second run: answer from what became of the open. */
static void answer(struct req *r, struct tracked *tr)
{
	enum db_open_state state;
	struct db_target t;
	struct db_viewer viewer;
	enum db_status s = db_open_outcome(&tr->open, &state, &t, tr->viewer ? &viewer : NULL);
	if (s != DB_OK) { /* not recorded: not served */
		if (tr->viewer)
			reply_public_db(r, s);
		else
			reply_db(r, s);
		return;
	}
	if (state != DB_OPEN_SERVED) {
		reply_dead(r, state);
	} else if (t.url != NULL) {
		reply_header(r, "Location", t.url);
		reply_empty(r, 302);
	} else if (tr->viewer) {
		reply_viewer_page(r, req_param(r, 0), tr->view, &t.file, &viewer);
	} else {
		reply_content(r, &t.file, "private, no-cache");
	}
	db_target_clear(&t);
}

bool public_token_shaped(const char *token)
{
	size_t len =
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
	return len > 0 && len <= 64 && token[len] == '\0';
}

/* A random (version 4) UUID into @out. */
static void random_uuid(char out[37])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static void tracked_clear(void *tr)
{
	db_open_clear(&((struct tracked *)tr)->open);
}

void h_tracked_open(struct req *r)
{
	if (r->resumed) {
		answer(r, r->state);
		return;
	}
	const char *token = req_param(r, 0);
	if (!public_token_shaped(token)) {
		reply_dead(r, DB_OPEN_MISSING);
		return;
	}
	struct tracked *tr = req_state_new(r, sizeof *tr, tracked_clear);
	if (tr == NULL)
		return;
	struct visitor v;
	req_visitor(r, &v);
	/* A person's browser (bots include HEAD): the viewer page. */
	tr->viewer = v.bot == NULL && public_wants_html(r);
	if (tr->viewer)
		random_uuid(tr->view);
	db_open_submit(&tr->open, token, &v, tr->viewer ? tr->view : NULL, req_wait(r));
}

void h_tracked_file(struct req *r)
{
	const char *token = req_param(r, 0), *view = req_query(r, "view");
	enum db_open_state state = DB_OPEN_MISSING;
	struct asset_content file;
	if (public_token_shaped(token) && view != NULL && uuid_valid(view)) {
		enum db_status s = db_viewer_file(token, view, &state, &file);
		if (s != DB_OK) {
			reply_public_db(r, s);
			return;
		}
	}
	if (state != DB_OPEN_SERVED) {
		reply_dead(r, state);
		return;
	}
	public_file_headers(r);
	reply_content(r, &file, "private, no-store");
}
