/* Single sign-on's rows: sign-ins under way, and who a provider's
 * identity is here (db_sso.h). */
#include "db_sso.h"

#include <stdio.h>
#include <string.h>
#include "crypto.h"
#include "db_internal.h"
#include "db_users.h"

static struct db_stmt q_create =
    DB_STMT("WITH gone AS (DELETE FROM sso_attempts WHERE expires_at < now())"
	    " INSERT INTO sso_attempts (state_hash, nonce, verifier, next, expires_at)"
	    " VALUES (decode($1, 'hex'), $2, $3, $4, now() + $5::integer * interval '1 second')");

enum db_status db_sso_attempt_create(const unsigned char state_hash[32],
				     const struct sso_attempt *a, int ttl_s)
{
	char hex[65], ttl[16];
	crypto_hex(state_hash, 32, hex);
	snprintf(ttl, sizeof ttl, "%d", ttl_s);
	const char *p[] = {hex, a->nonce, a->verifier, a->next, ttl};
	enum db_status s;
	PQclear(db_write(NULL, &q_create, 5, p, &s));
	return s;
}

static struct db_stmt q_take =
    DB_STMT("DELETE FROM sso_attempts WHERE state_hash = decode($1, 'hex')"
	    " RETURNING nonce, verifier, next, expires_at > now()");

enum db_status db_sso_attempt_take(const unsigned char state_hash[32], struct sso_attempt *out)
{
	char hex[65];
	crypto_hex(state_hash, 32, hex);
	const char *p[] = {hex};
	enum db_status s;
	PGresult *res = db_write(NULL, &q_take, 1, p, &s);
	if (s == DB_OK && (PQntuples(res) == 0 || !db_bool(res, 0, 3)))
		s = DB_NOT_FOUND;
	if (s == DB_OK) {
		db_copy(out->nonce, sizeof out->nonce, res, 0, 0);
		db_copy(out->verifier, sizeof out->verifier, res, 0, 1);
		db_copy(out->next, sizeof out->next, res, 0, 2);
	}
	PQclear(res);
	return s;
}

static struct db_stmt q_find = DB_STMT("SELECT id, active FROM users WHERE email = lower($1)");
/* A concurrent first sign-in of the same person creates nothing more. */
static struct db_stmt q_add =
    DB_STMT("INSERT INTO users (email, name, role, password_hash) VALUES (lower($1), $2, $3, NULL)"
	    " ON CONFLICT (email) DO NOTHING RETURNING id, active");
static struct db_stmt q_audit =
    DB_STMT("INSERT INTO audit (actor, action, entity, entity_id, after)"
	    " VALUES ($1::uuid, 'create', 'sign_in', $1, jsonb_build_object('method', 'sso',"
	    " 'issuer', $2::text, 'subject', $3::text, 'new_user', $4::boolean))");

struct sign_in {
	const struct sso_person *p;
	char id[UUID_LEN + 1];
	bool created;
};

/* Reads (id, active) of @res's first row into @si; DB_NOT_FOUND for none,
 * DB_CONFLICT when inactive. Clears @res. */
static enum db_status found(PGresult *res, enum db_status s, struct sign_in *si)
{
	if (s == DB_OK && PQntuples(res) == 0)
		s = DB_NOT_FOUND;
	if (s == DB_OK) {
		db_copy(si->id, sizeof si->id, res, 0, 0);
		if (!db_bool(res, 0, 1))
			s = DB_CONFLICT;
	}
	PQclear(res);
	return s;
}

static enum db_status sign_in_tx(struct db *db, void *cls)
{
	struct sign_in *si = cls;
	enum db_status s;
	const char *f[] = {si->p->email};
	PGresult *res = db_exec(db, &q_find, 1, f, &s);
	s = found(res, s, si);
	si->created = false;
	if (s == DB_NOT_FOUND) {
		const char *a[] = {si->p->email, si->p->name, role_name(si->p->role)};
		res = db_exec(db, &q_add, 3, a, &s);
		s = found(res, s, si);
		si->created = s == DB_OK;
		if (s == DB_NOT_FOUND) { /* created meanwhile */
			res = db_exec(db, &q_find, 1, f, &s);
			s = found(res, s, si);
		}
	}
	if (s != DB_OK)
		return s;
	const char *au[] = {si->id, si->p->issuer, si->p->subject, si->created ? "t" : "f"};
	return db_do(db, &q_audit, 4, au);
}

enum db_status db_sso_sign_in(const struct sso_person *p, struct user *out, bool *created)
{
	struct sign_in si = {.p = p};
	enum db_status s = db_tx(NULL, sign_in_tx, &si);
	*created = si.created;
	return s == DB_OK ? db_user_get(si.id, out) : s;
}
