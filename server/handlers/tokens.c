/* /api/v1/tokens: API tokens for "Authorization: Bearer". A token is shown
 * once, in the answer that made it; lists show labels and last use. A
 * user sees and revokes their own; an admin anyone's. */
#include <string.h>
#include "auth.h"
#include "crypto.h"
#include "db_tokens.h"
#include "handlers.h"

void h_token_create(struct req *r)
{
	const char *name = NULL;
	struct js_field spec[] = {JS_STR("name", &name, JS_REQUIRED, 1, NAME_MAX_BYTES)};
	if (!req_parse_json(r, spec, 1))
		return;
	char token[sizeof API_TOKEN_PREFIX + TOKEN_CHARS], id[UUID_LEN + 1];
	unsigned char digest[32];
	crypto_token(API_TOKEN_PREFIX, token);
	crypto_sha256(token, strlen(token), digest);
	enum db_status s = db_token_create(r->user->id, name, digest, id);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, 201, json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "token", token));
}

/* GET /api/v1/tokens: the caller's live tokens; ?user={id} that user's,
 * ?all=1 everyone's (admins only, but for the caller's own id). */
void h_tokens_list(struct req *r)
{
	int limit;
	char cursor[128];
	if (!req_keyset_page(r, &limit, cursor, sizeof cursor))
		return;
	const char *user = req_query(r, "user"), *all = req_query(r, "all");
	bool admin = r->user->role == ROLE_ADMIN;
	if (all != NULL && strcmp(all, "1") != 0 && strcmp(all, "0") != 0) {
		reply_error(r, ERR_INVALID_PARAMETER, "all", "all is 1 or 0");
		return;
	}
	bool everyone = all != NULL && strcmp(all, "1") == 0;
	if (user != NULL && !uuid_valid(user)) {
		reply_error(r, ERR_INVALID_PARAMETER, "user", "user is a user's id");
		return;
	}
	if (everyone && user != NULL) {
		reply_error(r, ERR_INVALID_PARAMETER, "all", "give all=1 or user, not both");
		return;
	}
	if (!admin && (everyone || (user != NULL && strcmp(user, r->user->id) != 0))) {
		reply_error(r, ERR_FORBIDDEN, NULL, "only admins see other users' tokens");
		return;
	}
	const char *whose = everyone ? NULL : user ? user : r->user->id;
	char *json = NULL, *next = NULL;
	enum db_status s = db_token_list(whose, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}

/* DELETE /api/v1/tokens/{id}: revoked at once, in this process and (by
 * the database's notification) in every other. Someone else's token is
 * 404 to a user who is not an admin, so they cannot learn it exists. */
void h_tokens_revoke(struct req *r)
{
	const char *id = req_param(r, 0);
	const char *owner = r->user->role == ROLE_ADMIN ? NULL : r->user->id;
	enum db_status s = uuid_valid(id) ? db_token_revoke(r->user->id, id, owner) : DB_NOT_FOUND;
	auth_forget();
	if (s == DB_NOT_FOUND)
		reply_error(r, ERR_NOT_FOUND, NULL, "no live token %s%s", id,
			    owner ? " of yours" : "");
	else if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}
