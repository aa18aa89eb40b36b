/* The candidates of a deal's recommendations (server/analytics/recommend.c
 * ranks them). */
#include "db_recommend.h"

#include "db_internal.h"

/* Published, unexpired, external assets (internal ones are never sent)
 * tagged with the deal's stage (and one of its
 * personas, when it has any) and not yet shared to it, with their stored
 * verdict at that stage (and what it says to a person) and their shares of
 * the last 90 days; grouped by kind (1 proven, 2 untested: no verdict,
 * insufficient_data or inconclusive, 3 no_effect, 4 hurts), best first. */
static struct db_stmt q_candidates = DB_STMT(
    "WITH d AS (SELECT * FROM deals WHERE id = $1 AND ($2::uuid IS NULL OR owner = $2::uuid)),"
    " c AS (SELECT a, v.verdict, v.lift, coalesce(v.n, 0) AS n, v.explanation,"
    "   (SELECT count(*) FROM shares s WHERE s.asset_id = a.id"
    "     AND s.created_at > now() - interval '90 days') AS recent,"
    "   CASE v.verdict WHEN 'moves_deals' THEN 1 WHEN 'no_effect' THEN 3 WHEN 'hurts' THEN 4"
    "    ELSE 2 END AS kind"
    "  FROM d JOIN assets a ON d.stage = ANY (a.stages)"
    "   AND (cardinality(d.personas) = 0 OR a.personas && d.personas)"
    "  LEFT JOIN stage_verdicts v ON v.asset_id = a.id AND v.stage = d.stage"
    "  WHERE a.status = 'published' AND (a.expires_at IS NULL OR a.expires_at > now())"
    "   AND a.audience = 'external'"
    "   AND NOT EXISTS (SELECT 1 FROM shares s WHERE s.deal_id = d.id AND s.asset_id = a.id))"
    " SELECT jsonb_build_object('stage', d.stage,"
    "  'stage_name', (SELECT name FROM stages WHERE slug = d.stage),"
    "  'candidates', coalesce((SELECT jsonb_agg(jsonb_build_object('kind', kind, 'lift', lift,"
    "    'n', n, 'explanation', explanation, 'recent_shares', recent, 'asset', asset_json(a))"
    "    ORDER BY kind, CASE WHEN kind IN (1, 4) THEN -lift END,"
    "     CASE WHEN kind = 2 THEN -extract(epoch FROM (a).published_at) END,"
    "     recent DESC, (a).title, (a).id) FROM c), '[]'))"
    " FROM d");

enum db_status db_deal_candidates(const char *deal, const char *owner_only, char **json)
{
	const char *p[] = {deal, owner_only};
	enum db_status s;
	PGresult *res = db_query(true, &q_candidates, 2, p, &s);
	return db_text(res, s, json);
}
