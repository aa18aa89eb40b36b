/* The people deals can belong to, and owner aliases: what CRM exports
 * call them (schema/0022), which the CSV import matches owners against
 * besides users' e-mails and full names (db_import_people). */
#ifndef NS_DB_OWNERS_H
#define NS_DB_OWNERS_H
#include "db.h"

/* The active users, as {"items": [{id, name, email, role}]} ordered by
 * name, into *@json (malloc'd). */
enum db_status db_people_list(char **json);

/* Every owner alias, as {"items": [{alias, user_id, user_name,
 * user_email}]} ordered by alias, into *@json (malloc'd). */
enum db_status db_owner_aliases_list(char **json);

/* Maps the owner name @alias, whose folded form (imp_fold_name) is
 * @folded, to active user @user_id, as @actor_id; an alias with the same
 * folded form is replaced. The alias as listed into *@json (malloc'd).
 * DB_INVALID with @fault naming user_id when no active user has that id. */
enum db_status db_owner_alias_set(const char *actor_id, const char *folded, const char *alias,
				  const char *user_id, struct db_fault *fault, char **json);

/* Deletes the alias whose folded form is @folded. DB_NOT_FOUND when there
 * is none. */
enum db_status db_owner_alias_delete(const char *actor_id, const char *folded);

#endif
