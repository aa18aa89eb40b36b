/* The notifications users get (opens of their shares, reviews of their
 * assets), newest first, and marking them read. */
#include "db_notifications.h"

#include <stdlib.h>
#include "db_internal.h"

static struct db_stmt q_notes = DB_STMT(
    "WITH page AS (SELECT * FROM notifications WHERE user_id = $1"
    "  AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3::integer + 1),"
    " shown AS (SELECT * FROM page ORDER BY id DESC LIMIT $3::integer)"
    " SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(jsonb_build_object("
    "   'id', n.id, 'kind', n.kind, 'message', n.message, 'share_id', n.share_id,"
    "   'created_at', rfc3339(n.created_at), 'read', n.read_at IS NOT NULL) ORDER BY n.id DESC)"
    "   FROM shown n), '[]'),"
    "  'unread', (SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL)),"
    " CASE WHEN (SELECT count(*) FROM page) > $3::integer THEN"
    "  (SELECT min(id)::text FROM shown) END");

enum db_status db_notifications(const char *user_id, const char *after, int limit, char **json,
				char **next)
{
	const char *p[] = {user_id, after, NULL};
	return db_list(false, &q_notes, 3, p, limit, json, next);
}

static struct db_stmt q_read = DB_STMT("UPDATE notifications SET read_at = coalesce(read_at, now())"
				       " WHERE id = $2::bigint AND user_id = $1");

enum db_status db_notification_read(const char *user_id, const char *id)
{
	const char *p[] = {user_id, id};
	return db_write_found(user_id, &q_read, 2, p);
}
