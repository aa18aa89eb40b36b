/* Notifications (schema/0005): what users are told, newest first. */
#ifndef NS_DB_NOTIFICATIONS_H
#define NS_DB_NOTIFICATIONS_H
#include "db.h"

/* The notifications of @user_id, newest first: {"items": [...]}. */
enum db_status db_notifications(const char *user_id, const char *after, int limit, char **json,
				char **next);
/* Marks one read; DB_NOT_FOUND if not @user_id's. */
enum db_status db_notification_read(const char *user_id, const char *id);

#endif
