/* The people deals can belong to, and owner aliases (contracts in
 * db_owners.h). */
#include "db_owners.h"

#include <stdlib.h>
#include "db_internal.h"

static struct db_stmt q_people = DB_STMT(
    "SELECT jsonb_build_object('items', coalesce(jsonb_agg(jsonb_build_object("
    " 'id', u.id, 'name', u.name, 'email', u.email, 'role', u.role) ORDER BY u.name, u.email),"
    " '[]'))::text FROM users u WHERE u.active");

enum db_status db_people_list(char **json)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_people, 0, NULL, &s);
	return db_text(res, s, json);
}

#define ALIAS_JSON(a)                                                                              \
	"jsonb_build_object('alias', " a ".alias, 'user_id', " a ".user_id,"                       \
	" 'user_name', (SELECT u.name FROM users u WHERE u.id = " a ".user_id),"                   \
	" 'user_email', (SELECT u.email FROM users u WHERE u.id = " a ".user_id))"

static struct db_stmt q_list =
    DB_STMT("SELECT jsonb_build_object('items', coalesce(jsonb_agg(" ALIAS_JSON(
	"a") " ORDER BY a.folded), '[]'))::text FROM owner_aliases a");

enum db_status db_owner_aliases_list(char **json)
{
	enum db_status s;
	PGresult *res = db_query(false, &q_list, 0, NULL, &s);
	return db_text(res, s, json);
}

static struct db_stmt q_set =
    DB_STMT("INSERT INTO owner_aliases AS a (folded, alias, user_id)"
	    " SELECT $1, $2, u.id FROM users u WHERE u.id = $3::uuid AND u.active"
	    " ON CONFLICT (folded) DO UPDATE SET alias = excluded.alias, user_id = excluded.user_id"
	    " RETURNING " ALIAS_JSON("a") "::text");

enum db_status db_owner_alias_set(const char *actor_id, const char *folded, const char *alias,
				  const char *user_id, struct db_fault *fault, char **json)
{
	const char *p[] = {folded, alias, user_id};
	enum db_status s;
	*json = NULL;
	PGresult *res = db_write(actor_id, &q_set, 3, p, &s);
	if (s == DB_OK && PQntuples(res) == 0) {
		PQclear(res);
		return db_refuse(fault, DB_INVALID, "user_id", "no active user has this id");
	}
	return db_text(res, s, json);
}

static struct db_stmt q_delete = DB_STMT("DELETE FROM owner_aliases WHERE folded = $1");

enum db_status db_owner_alias_delete(const char *actor_id, const char *folded)
{
	const char *p[] = {folded};
	return db_write_found(actor_id, &q_delete, 1, p);
}
