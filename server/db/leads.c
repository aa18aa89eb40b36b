/* The leads' list (schema/0015); a lead is recorded by public.c. */
#include "db_leads.h"

#include "db_internal.h"

static struct db_stmt q_list = DB_STMT(
    "WITH page AS (SELECT l.* FROM leads l JOIN assets a ON a.id = l.asset_id"
    "  WHERE l.replaced_at IS NULL AND ($1::uuid IS NULL OR l.asset_id = $1::uuid)"
    "   AND ($2::text IS NULL OR l.readiness = $2) AND ($3::boolean IS NULL OR l.consent = $3)"
    "   AND (NOT $4::boolean OR (l.consent AND l.readiness = 'sales_ready'"
    "    AND a.status = 'published' AND (a.expires_at IS NULL OR a.expires_at > now())))"
    "   AND " KEYSET_AFTER("l", "$5") "  ORDER BY l.created_at DESC, l.id DESC"
				      "  LIMIT $6::integer + 1)," KEYSET_TAIL("lead_json", "$6"));

enum db_status db_lead_list(const char *asset, const char *readiness, const char *consent,
			    bool sales_view, const char *after, int limit, char **json, char **next)
{
	const char *p[] = {asset, readiness, consent, sales_view ? "t" : "f", after, NULL};
	return db_list(true, &q_list, 6, p, limit, json, next);
}
