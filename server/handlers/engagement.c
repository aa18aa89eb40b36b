/* POST /s/{token}/engagement: the viewer's beacons (static/viewer/viewer.js),
 * sent every NEXTSTAGE_VIEWER_FLUSH_S seconds and when the page is left:
 *   {"view": "<the page's view id>", "pages": 12, "seen": [[1, 9.5], [2, 3]]}
 * seconds in view per page since the last beacon, of a document of "pages"
 * pages. The body is read raw (navigator.sendBeacon sends text/plain).
 * Nothing but the token and the view id ties a beacon to its open; a bot's
 * beacon (its User-Agent, or an open recorded as a bot's) is answered
 * like any other and recorded nowhere. Each client address, and each
 * link, has a bucket of beacons (NEXTSTAGE_BEACON_RATE); what a beacon
 * says is bounded by the database (db_engagement.h). Recorded through the
 * group-commit writer: answered 204 once committed. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "beacon.h"
#include "config.h"
#include "db_engagement.h"
#include "handlers.h"
#include "log.h"
#include "public.h"
#include "ratelimit.h"

/* Beacons of a link a minute, as a multiple of an address's. */
#define SHARE_FACTOR 4

static struct ratelimit *by_addr, *by_share;

static void make_limiters(void)
{
	unsigned rate = config.beacon_rate;
	by_addr = rl_new(rate, rate);
	by_share = rl_new(rate * SHARE_FACTOR, rate * SHARE_FACTOR);
	if (by_addr == NULL || by_share == NULL)
		log_msg("error", "no memory for the beacons' rate limiters: not limiting");
}

/* False when the address or the link has no beacon left (answered). */
static bool admitted(struct req *r, const char *token)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (config.beacon_rate == 0)
		return true;
	pthread_once(&once, make_limiters);
	if (by_addr == NULL || by_share == NULL)
		return true;
	char addr[64], detail[120];
	req_client(r, addr, sizeof addr);
	unsigned retry;
	uint64_t now = public_now_ms();
	if (!rl_admit(by_addr, addr, now, &retry)) {
		snprintf(detail, sizeof detail,
			 "at most %u beacons a minute come from one address; retry in %u s",
			 config.beacon_rate, retry);
	} else if (!rl_admit_name(by_share, token, now, &retry)) {
		snprintf(detail, sizeof detail,
			 "at most %u beacons a minute are taken for one link; retry in %u s",
			 config.beacon_rate * SHARE_FACTOR, retry);
	} else {
		return true;
	}
	public_refuse_rate(r, retry, detail);
	return false;
}

/* The body into @b; false when answered 400. */
static bool read_beacon(struct req *r, struct beacon *b)
{
	size_t len;
	const char *body = req_body(r, &len);
	json_error_t e;
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
	struct js_error err;
	bool ok = false;
	if (!json_is_object(o))
		reply_error(r, ERR_INVALID_JSON, NULL, "the beacon must be a JSON object%s%s",
			    o ? "" : ": ", o ? "" : e.text);
	else if (!(ok = beacon_read(o, b, &err)))
		reply_error(r, err.code, err.field, "%s", err.detail);
	json_decref(o);
	return ok;
}

static void read_clear(void *rd)
{
	db_read_clear(rd);
}

/* Second run: the beacon's outcome. */
static void answer(struct req *r, const struct db_read *rd)
{
	enum db_read_state state;
	enum db_status s = db_read_outcome(rd, &state);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	switch (state) {
	case DB_READ_RECORDED:
	case DB_READ_IGNORED:
		reply_empty(r, 204);
		break;
	case DB_READ_MISSING:
		reply_error(r, ERR_NOT_FOUND, NULL, "no view of this link has this id");
		break;
	case DB_READ_GONE:
		reply_error(r, ERR_GONE, NULL, "this link was revoked or has expired");
		break;
	case DB_READ_PAGES:
		reply_error(r, ERR_INVALID_FIELD, "pages",
			    "pages is not the page count of this document");
		break;
	case DB_READ_TOO_LONG:
		reply_error(r, ERR_INVALID_FIELD, "seen",
			    "more seconds than this view has lasted (or than %d in all)",
			    DB_READ_CAP_S);
		break;
	}
}

void h_tracked_engagement(struct req *r)
{
	if (r->resumed) {
		answer(r, r->state);
		return;
	}
	const char *token = req_param(r, 0);
	if (!public_token_shaped(token)) {
		reply_error(r, ERR_NOT_FOUND, NULL, "no view of this link has this id");
		return;
	}
	if (!admitted(r, token))
		return;
	struct beacon b;
	if (!read_beacon(r, &b))
		return;
	struct visitor v;
	req_visitor(r, &v);
	if (v.bot != NULL) { /* told nothing: a bot learns nothing of the rules */
		reply_empty(r, 204);
		return;
	}
	struct db_read *rd = req_state_new(r, sizeof *rd, read_clear);
	if (rd == NULL)
		return;
	db_read_submit(rd, token, b.view, b.pages, b.page, b.seconds, b.n, req_wait(r));
}
