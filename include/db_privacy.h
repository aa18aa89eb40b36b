/* Privacy: erasing a person who is not a user (a prospect, a lead) by
 * e-mail (README, "Privacy"; schema/functions/erase_person.sql). */
#ifndef NS_DB_PRIVACY_H
#define NS_DB_PRIVACY_H
#include "db.h"

/* Erases every trace of @email in one transaction audited as @actor_id's;
 * *@json: what was removed ({leads, page_views, share_recipients,
 * replaced: {"table.column": rows}}). DB_INVALID with @fault (email) when
 * it is a user's address. */
enum db_status db_erase_person(const char *actor_id, const char *email, struct db_fault *fault,
			       char **json);

#endif
