/* Erasure of a person by e-mail (db_privacy.h). */
#include "db_privacy.h"

#include "db_internal.h"

static struct db_stmt q_user =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))");
static struct db_stmt q_erase = DB_STMT("SELECT erase_person($1)");

struct erase {
	const char *email;
	struct db_fault *fault;
	char **json;
};

static enum db_status erase_tx(struct db *db, void *cls)
{
	struct erase *e = cls;
	const char *p[] = {e->email};
	enum db_status s;
	PGresult *res = db_exec(db, &q_user, 1, p, &s);
	bool user = s == DB_OK && db_bool(res, 0, 0);
	PQclear(res);
	if (s != DB_OK)
		return s;
	if (user)
		return db_refuse(e->fault, DB_INVALID, "email",
				 "this is the address of a user: deactivate the user instead");
	res = db_exec(db, &q_erase, 1, p, &s);
	return db_text(res, s, e->json);
}

enum db_status db_erase_person(const char *actor_id, const char *email, struct db_fault *fault,
			       char **json)
{
	struct erase e = {email, fault, json};
	return db_tx(actor_id, erase_tx, &e);
}
