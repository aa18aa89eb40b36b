/* Public pages and leads: the rules are SQL functions of schema/0015
 * (public_state, record_lead); this file runs them. */
#include "db_leads.h"

#include "db_internal.h"

static struct db_stmt q_page =
    DB_STMT("SELECT CASE public_state(a) WHEN 'live' THEN public_page_json(a)::text"
	    " ELSE public_state(a) END"
	    " FROM (SELECT (SELECT x FROM assets x WHERE x.id = $1::uuid) AS a) q");

enum db_status db_public_page(const char *asset, char **out)
{
	const char *p[] = {asset};
	enum db_status s;
	PGresult *res = db_query(false, &q_page, 1, p, &s);
	return db_text(res, s, out);
}

static struct db_stmt q_record =
    DB_STMT("SELECT record_lead($1::uuid, $2::jsonb, $3::bytea, $4, $5)");

enum db_status db_lead_record(const char *asset, const char *lead, const char *client_hash,
			      const char *ua, const char *bot, char **out)
{
	const char *p[] = {asset, lead, client_hash, ua, bot};
	enum db_status s;
	PGresult *res = db_write(NULL, &q_record, 5, p, &s);
	return db_text(res, s, out);
}

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
