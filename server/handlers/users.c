/* /api/v1/users: admins manage accounts. */
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "crypto.h"
#include "db_users.h"
#include "handlers.h"

static const char *const roles[] = {"rep", "marketer", "admin", NULL};

void h_users_list(struct req *r)
{
	int limit;
	char after[EMAIL_MAX + 1];
	if (!req_page(r, &limit, after, sizeof after))
		return;
	struct user *users;
	int n;
	/* One extra row tells whether there is a next page. */
	enum db_status s = db_user_list(*after ? after : NULL, limit + 1, &users, &n);
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(items, user_json(&users[i]));
	reply_page(r, items, n > limit ? users[limit - 1].email : NULL);
	free(users);
}

/* Hashes @password into @hash; answers 400/500 and returns false on failure. */
bool hash_password(struct req *r, const char *password, char *hash)
{
	if (strlen(password) < PASSWORD_MIN) {
		reply_error(r, ERR_INVALID_FIELD, "password", "password must be at least %d bytes",
			    PASSWORD_MIN);
		return false;
	}
	if (crypto_password_hash(password, hash, PWHASH_MAX) != 0) {
		reply_error(r, ERR_INTERNAL, NULL, "could not hash the password");
		return false;
	}
	return true;
}

void h_users_create(struct req *r)
{
	const char *email = NULL, *name = NULL, *role = NULL, *password = NULL;
	bool board = false;
	struct js_field spec[] = {
	    JS_STR("email", &email, JS_REQUIRED, 3, EMAIL_MAX),
	    JS_STR("name", &name, JS_REQUIRED, 1, NAME_MAX_BYTES),
	    JS_ONE_OF("role", &role, JS_REQUIRED, roles),
	    JS_BOOLEAN("board", &board, 0),
	    JS_STR("password", &password, JS_REQUIRED, 1, 1024),
	};
	if (!req_parse_json(r, spec, 5))
		return;
	if (!email_valid(email)) {
		reply_error(r, ERR_INVALID_FIELD, "email", "email is not a valid address");
		return;
	}
	char hash[PWHASH_MAX];
	if (!hash_password(r, password, hash))
		return;
	struct user u;
	enum db_status s =
	    db_user_create(r->user->id, email, name, role_from_name(role), board, hash, &u);
	if (s == DB_CONFLICT) {
		reply_error(r, ERR_CONFLICT, "email", "a user with this email exists");
		return;
	}
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, 201, user_json(&u));
}

void h_users_update(struct req *r)
{
	const char *id = req_param(r, 0);
	const char *name = NULL, *role = NULL, *password = NULL;
	bool board = false, active = false, has_board, has_active;
	struct js_field spec[] = {
	    JS_STR("name", &name, 0, 1, NAME_MAX_BYTES),
	    JS_ONE_OF("role", &role, 0, roles),
	    {"board", JS_BOOL, 0, &board, &has_board, 0, 0, NULL},
	    {"active", JS_BOOL, 0, &active, &has_active, 0, 0, NULL},
	    JS_STR("password", &password, 0, 1, 1024),
	};
	if (!uuid_valid(id)) {
		reply_error(r, ERR_NOT_FOUND, NULL, "no user %s", id);
		return;
	}
	if (!req_parse_json(r, spec, 5))
		return;
	char hash[PWHASH_MAX];
	if (password != NULL && !hash_password(r, password, hash))
		return;
	struct user_patch p = {
	    .name = name,
	    .role = role_from_name(role),
	    .board = has_board ? board : -1,
	    .active = has_active ? active : -1,
	    .pwhash = password ? hash : NULL,
	};
	struct user u;
	enum db_status s = db_user_update(r->user->id, id, &p, &u);
	auth_forget(); /* role, board, active: the user's credentials change */
	if (s != DB_OK) {
		reply_db(r, s);
		return;
	}
	reply_json(r, 200, user_json(&u));
}
