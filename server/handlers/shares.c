/* /api/v1/shares: a rep gives an asset to a deal through a tracked link. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "crypto.h"
#include "db_shares.h"
#include "handlers.h"

static const char *const channels[] = {"email", "link", "social", "meeting", "other", NULL};

/* Reps share and see only their own shares and deals. */
static const char *own(const struct req *r)
{
	return r->user->role == ROLE_REP ? r->user->id : NULL;
}

/* Adds "url" (NEXTSTAGE_PUBLIC_URL/s/<token>) to the share @json (taken). */
static json_t *with_url(char *json)
{
	json_t *o = json_loads(json, 0, NULL);
	free(json);
	char url[512];
	snprintf(url, sizeof url, "%s/s/%s", config.public_url,
		 json_string_value(json_object_get(o, "token")));
	json_object_set_new(o, "url", json_string(url));
	return o;
}

void h_shares_create(struct req *r)
{
	const char *asset = NULL, *deal = NULL, *channel = NULL, *recipient = NULL, *expires = NULL;
	struct js_field spec[] = {
	    JS_STR("asset_id", &asset, JS_REQUIRED, 1, UUID_LEN),
	    JS_STR("deal_id", &deal, JS_NULLABLE, 1, UUID_LEN),
	    JS_ONE_OF("channel", &channel, JS_REQUIRED, channels),
	    JS_STR("recipient_email", &recipient, JS_NULLABLE, 3, EMAIL_MAX),
	    JS_STR("expires_at", &expires, JS_NULLABLE, 1, 40),
	};
	if (!req_parse_json(r, spec, 5))
		return;
	const char *bad = !uuid_valid(asset)			 ? "asset_id"
			  : deal && !uuid_valid(deal)		 ? "deal_id"
			  : recipient && !email_valid(recipient) ? "recipient_email"
			  : expires && !rfc3339_valid(expires)	 ? "expires_at"
								 : NULL;
	if (bad != NULL) {
		reply_error(r, ERR_INVALID_FIELD, bad, "%s is not valid", bad);
		return;
	}
	char token[TOKEN_CHARS + 1], *json = NULL;
	crypto_token("", token);
	struct db_fault f = {0};
	enum db_status s = db_share_create(r->user->id, own(r), asset, deal, channel, recipient,
					   expires, token, &f, &json);
	if (s != DB_OK) {
		reply_fault(r, s, &f);
		return;
	}
	reply_json(r, 201, with_url(json));
}

void h_shares_list(struct req *r)
{
	int limit;
	char cursor[128];
	if (!req_keyset_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *asset = req_query(r, "asset"), *deal = req_query(r, "deal"),
		   *mine = req_query(r, "mine");
	if ((asset && !uuid_valid(asset)) || (deal && !uuid_valid(deal))) {
		reply_error(r, ERR_INVALID_PARAMETER,
			    asset && !uuid_valid(asset) ? "asset" : "deal", "not an id");
		return;
	}
	const char *rep = own(r);
	if (rep == NULL && mine != NULL && strcmp(mine, "1") == 0)
		rep = r->user->id;
	char *json = NULL, *next = NULL;
	enum db_status s =
	    db_share_list(rep, asset, deal, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}

void h_shares_revoke(struct req *r)
{
	const char *id = req_param(r, 0);
	enum db_status s = uuid_valid(id) ? db_share_revoke(r->user->id, id, own(r)) : DB_NOT_FOUND;
	if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}
