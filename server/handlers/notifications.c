/* /api/v1/notifications: what happened to a user's shares and requests. */
#include <stdlib.h>
#include <string.h>
#include "db_notifications.h"
#include "handlers.h"

void h_notifications_list(struct req *r)
{
	int limit;
	char cursor[32];
	if (!req_id_page(r, &limit, cursor, sizeof cursor))
		return;
	char *json = NULL, *next = NULL;
	enum db_status s =
	    db_notifications(r->user->id, *cursor ? cursor : NULL, limit, &json, &next);
	reply_db_page(r, s, json, next);
}

void h_notifications_read(struct req *r)
{
	const char *id = req_param(r, 0);
	bool numeric = *id && strlen(id) < 19 && strspn(id, "0123456789") == strlen(id);
	enum db_status s = numeric ? db_notification_read(r->user->id, id) : DB_NOT_FOUND;
	if (s != DB_OK)
		reply_db(r, s);
	else
		reply_empty(r, 204);
}
