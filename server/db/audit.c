/* Reading the audit trail. */
#include "db_audit.h"

#include "db_internal.h"

static struct db_stmt q_list =
    DB_STMT("WITH page AS (SELECT * FROM audit WHERE ($1::text IS NULL OR entity = $1)"
	    "  AND ($2::text IS NULL OR entity_id = $2) AND ($3::bigint IS NULL OR id < $3::bigint)"
	    "  AND (NOT $4::boolean OR EXISTS (SELECT 1 FROM assets x WHERE x.id::text = $2"
	    "   AND x.status <> 'draft'))"
	    "  ORDER BY id DESC LIMIT $5::integer + 1),"
	    " shown AS (SELECT * FROM page ORDER BY id DESC LIMIT $5::integer)"
	    " SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(jsonb_build_object("
	    "   'id', a.id, 'at', rfc3339(a.at), 'actor', a.actor, 'actor_name', u.name,"
	    "   'action', a.action, 'entity', a.entity, 'entity_id', a.entity_id,"
	    "   'before', a.before, 'after', a.after) ORDER BY a.id DESC)"
	    "   FROM shown a LEFT JOIN users u ON u.id = a.actor), '[]')),"
	    " CASE WHEN (SELECT count(*) FROM page) > $5::integer THEN"
	    "  (SELECT min(id)::text FROM shown) END");

enum db_status db_audit_list(const char *entity, const char *id, bool decided_asset,
			     const char *after, int limit, char **json, char **next)
{
	const char *p[] = {entity, id, after, decided_asset ? "t" : "f", NULL};
	return db_list(true, &q_list, 5, p, limit, json, next);
}
