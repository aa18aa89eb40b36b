/* Users, sessions, and the lookup of a session or an API token (the
 * rest of tokens: tokens.c). */
#include "db_users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto.h"
#include "db_internal.h"

#define USER_COLS                                                                                  \
	"u.id, u.email, u.name, u.role, u.board, u.active, rfc3339(u.created_at),"                 \
	" u.email_notifications"
#define USER_NCOLS 8

static void read_user(const PGresult *res, int row, struct user *u)
{
	db_copy(u->id, sizeof u->id, res, row, 0);
	db_copy(u->email, sizeof u->email, res, row, 1);
	db_copy(u->name, sizeof u->name, res, row, 2);
	u->role = role_from_name(PQgetvalue(res, row, 3));
	u->board = db_bool(res, row, 4);
	u->active = db_bool(res, row, 5);
	db_copy(u->created_at, sizeof u->created_at, res, row, 6);
	db_copy(u->email_notifications, sizeof u->email_notifications, res, row, 7);
}

/* Reads the first row into @u: DB_NOT_FOUND when there is none. Clears @res. */
static enum db_status one_user(PGresult *res, enum db_status s, struct user *u)
{
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK)
		read_user(res, 0, u);
	PQclear(res);
	return s;
}

static void hex32(const unsigned char hash[32], char out[65])
{
	crypto_hex(hash, 32, out);
}

/* Runs credential lookup @q (parameter: the digest in hex; column 7: the
 * seconds the credential stays valid, NULL for until revoked; column 8,
 * when @id is not NULL: the credential's id). */
static enum db_status credential_user(struct db_stmt *q, const unsigned char hash[32],
				      struct user *u, long *valid_s, char id[UUID_LEN + 1])
{
	char hex[65];
	hex32(hash, hex);
	const char *p[] = {hex};
	enum db_status s;
	PGresult *res = db_query(false, q, 1, p, &s);
	if (s == DB_OK && PQntuples(res) > 0) {
		*valid_s =
		    PQgetisnull(res, 0, USER_NCOLS) ? -1 : atol(PQgetvalue(res, 0, USER_NCOLS));
		if (id != NULL)
			db_copy(id, UUID_LEN + 1, res, 0, USER_NCOLS + 1);
	}
	return one_user(res, s, u);
}

static struct db_stmt q_login = DB_STMT(
    "SELECT " USER_COLS ", u.password_hash FROM users u WHERE u.email = lower($1) AND u.active");

enum db_status db_user_for_login(const char *email, struct user *u, char hash[PWHASH_MAX])
{
	enum db_status s;
	const char *p[] = {email};
	PGresult *res = db_query(false, &q_login, 1, p, &s);
	if (s == DB_OK && PQntuples(res) == 1)
		db_copy(hash, PWHASH_MAX, res, 0, USER_NCOLS);
	return one_user(res, s, u);
}

static struct db_stmt q_create =
    DB_STMT("INSERT INTO users AS u (email, name, role, board, password_hash)"
	    " VALUES (lower($1), $2, $3, $4, $5) RETURNING " USER_COLS);

enum db_status db_user_create(const char *actor_id, const char *email, const char *name,
			      enum role role, bool board, const char *pwhash, struct user *out)
{
	enum db_status s;
	const char *p[] = {email, name, role_name(role), board ? "t" : "f", pwhash};
	PGresult *res = db_write(actor_id, &q_create, 5, p, &s);
	return one_user(res, s, out);
}

static struct db_stmt q_get = DB_STMT("SELECT " USER_COLS " FROM users u WHERE u.id = $1");

enum db_status db_user_get(const char *id, struct user *out)
{
	enum db_status s;
	const char *p[] = {id};
	PGresult *res = db_query(false, &q_get, 1, p, &s);
	return one_user(res, s, out);
}

static struct db_stmt q_update =
    DB_STMT("UPDATE users u SET name = coalesce($2, name), role = coalesce($3, role),"
	    " board = coalesce($4::boolean, board), active = coalesce($5::boolean, active),"
	    " password_hash = coalesce($6, password_hash),"
	    " email_notifications = coalesce($7, email_notifications), updated_at = now()"
	    " WHERE u.id = $1 RETURNING " USER_COLS);
/* A user who turns to the digest gets their first one a day later. */
static struct db_stmt q_digest_from =
    DB_STMT("INSERT INTO email_digests (user_id, upto) SELECT u.id, now() FROM users u"
	    " WHERE u.id = $1 AND $2 = 'daily' AND u.email_notifications <> 'daily'"
	    " ON CONFLICT (user_id) DO UPDATE SET upto = now()");
static struct db_stmt q_end_sessions =
    DB_STMT("DELETE FROM sessions WHERE user_id = $1"
	    " AND ($2::text IS NULL OR token_hash <> decode($2, 'hex'))");
static struct db_stmt q_revoke_tokens =
    DB_STMT("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL");

struct update {
	const char *id;
	const struct user_patch *p;
	struct user *out;
};

static const char *tristate(int v)
{
	return v < 0 ? NULL : v ? "t" : "f";
}

static enum db_status update_tx(struct db *db, void *cls)
{
	struct update *u = cls;
	enum db_status s;
	const char *p[] = {u->id,
			   u->p->name,
			   role_name(u->p->role),
			   tristate(u->p->board),
			   tristate(u->p->active),
			   u->p->pwhash,
			   u->p->email_notifications};
	const char *d[] = {u->id, u->p->email_notifications};
	s = u->p->email_notifications ? db_do(db, &q_digest_from, 2, d) : DB_OK;
	PGresult *res = s == DB_OK ? db_exec(db, &q_update, 7, p, &s) : NULL;
	s = one_user(res, s, u->out);
	char keep[65];
	if (u->p->keep_session != NULL)
		hex32(u->p->keep_session, keep);
	const char *id[] = {u->id, u->p->keep_session != NULL ? keep : NULL};
	/* A new password or a deactivation ends every session (but the one
	 * kept, with which the user changed their own password). */
	if (s == DB_OK && (u->p->pwhash != NULL || u->p->active == 0))
		s = db_do(db, &q_end_sessions, 2, id);
	if (s == DB_OK && u->p->active == 0)
		s = db_do(db, &q_revoke_tokens, 1, id);
	return s;
}

enum db_status db_user_update(const char *actor_id, const char *id, const struct user_patch *p,
			      struct user *out)
{
	struct update u = {id, p, out};
	return db_tx(actor_id, update_tx, &u);
}

static struct db_stmt q_list = DB_STMT("SELECT " USER_COLS " FROM users u"
				       " WHERE $1::text IS NULL OR u.email > $1"
				       " ORDER BY u.email LIMIT $2");

enum db_status db_user_list(const char *after_email, int limit, struct user **out, int *n)
{
	enum db_status s;
	char lim[16];
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = {after_email, lim};
	PGresult *res = db_query(false, &q_list, 2, p, &s);
	*out = NULL;
	*n = 0;
	if (s != DB_OK)
		return s;
	int rows = PQntuples(res);
	*out = calloc((size_t)rows + 1, sizeof **out);
	if (*out == NULL) {
		PQclear(res);
		return DB_ERROR;
	}
	for (int i = 0; i < rows; i++)
		read_user(res, i, &(*out)[i]);
	*n = rows;
	PQclear(res);
	return DB_OK;
}

static struct db_stmt q_count = DB_STMT("SELECT count(*) FROM users");

enum db_status db_user_count(long *n)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_count, 0, NULL, &s);
	if (s == DB_OK)
		*n = (long)db_int(res, 0, 0);
	PQclear(res);
	return s;
}

/* Expired sessions of the same user are swept when a new one starts. */
static struct db_stmt q_session_create =
    DB_STMT("WITH gone AS (DELETE FROM sessions WHERE user_id = $2 AND expires_at < now())"
	    " INSERT INTO sessions (token_hash, user_id, expires_at)"
	    " VALUES (decode($1, 'hex'), $2, now() + $3::integer * interval '1 second')");

enum db_status db_session_create(const char *user_id, const unsigned char hash[32], int ttl_s)
{
	char hex[65], ttl[16];
	hex32(hash, hex);
	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	const char *p[] = {hex, user_id, ttl};
	enum db_status s;
	PQclear(db_query(false, &q_session_create, 3, p, &s));
	return s;
}

static struct db_stmt q_session_user =
    DB_STMT("SELECT " USER_COLS ", floor(extract(epoch FROM s.expires_at - now()))::bigint"
	    " FROM sessions s JOIN users u ON u.id = s.user_id"
	    " WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now() AND u.active");

enum db_status db_session_user(const unsigned char hash[32], struct user *u, long *valid_s)
{
	return credential_user(&q_session_user, hash, u, valid_s, NULL);
}

static struct db_stmt q_session_delete =
    DB_STMT("DELETE FROM sessions WHERE token_hash = decode($1, 'hex')");

enum db_status db_session_delete(const unsigned char hash[32])
{
	char hex[65];
	hex32(hash, hex);
	const char *p[] = {hex};
	enum db_status s;
	PQclear(db_query(false, &q_session_delete, 1, p, &s));
	return s;
}

static struct db_stmt q_token_user =
    DB_STMT("SELECT " USER_COLS ", NULL, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id"
	    " WHERE t.token_hash = decode($1, 'hex') AND t.revoked_at IS NULL AND u.active");

enum db_status db_token_user(const unsigned char hash[32], struct user *u, long *valid_s,
			     char id[UUID_LEN + 1])
{
	return credential_user(&q_token_user, hash, u, valid_s, id);
}
