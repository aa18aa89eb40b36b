/* Asset search: one statement computes the matches once (MATERIALIZED),
 * then the page, the total and the facet counts from them, and returns
 * the page already as the API's JSON. */
#include "db_search.h"

#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

#define ARR(n)                                                                                     \
	"CASE WHEN $" #n "::jsonb IS NULL THEN NULL"                                               \
	" ELSE ARRAY(SELECT jsonb_array_elements_text($" #n "::jsonb)) END"
#define FACET(col)                                                                                 \
	"(SELECT coalesce(jsonb_object_agg(v, n), '{}') FROM"                                      \
	" (SELECT " col " AS v, count(*) AS n FROM m GROUP BY 1) x)"

static struct
    db_stmt
	q_search =
	    DB_STMT("WITH p AS (SELECT $1::text AS q,"
		    "   CASE WHEN $2 = '' THEN NULL ELSE to_tsquery('english', $2) END AS tsq,"
		    "   " ARR(3) " AS personas, " ARR(4) " AS stages, " ARR(
			5) " AS kinds,"
			   "   " ARR(6) " AS intents, " ARR(7) " AS statuses, " ARR(
			       8) " AS tags),"
				  " m AS MATERIALIZED (SELECT a.id, a.kind, a.intent, a.personas, "
				  "a.stages,"
				  "   CASE $10::text"
				  "   WHEN 'relevance' THEN round((coalesce(ts_rank(a.search, "
				  "p.tsq), 0)"
				  "     + CASE WHEN p.q = '' THEN 0 ELSE word_similarity(p.q, "
				  "a.title) END)::numeric, 6)"
				  "   WHEN 'recent' THEN extract(epoch FROM a.created_at)"
				  "   ELSE 0::numeric END AS key"
				  "  FROM assets a, p"
				  "  WHERE (p.q = '' OR a.search @@ p.tsq OR p.q <% a.title)"
				  "   AND (p.personas IS NULL OR a.personas && p.personas)"
				  "   AND (p.stages IS NULL OR a.stages && p.stages)"
				  "   AND (p.kinds IS NULL OR a.kind = ANY (p.kinds))"
				  "   AND (p.intents IS NULL OR a.intent = ANY (p.intents))"
				  "   AND (p.statuses IS NULL OR a.status = ANY (p.statuses))"
				  "   AND (p.tags IS NULL OR a.tags && p.tags)"
				  "   AND (NOT $9::boolean OR (a.status = 'published'"
				  "        AND (a.expires_at IS NULL OR a.expires_at > now())))),"
				  " page AS (SELECT m.id, m.key FROM m"
				  "  WHERE $11::numeric IS NULL OR (m.key, m.id) < ($11::numeric, "
				  "$12::uuid)"
				  "  ORDER BY m.key DESC, m.id DESC LIMIT $13::integer + 1),"
				  " shown AS (SELECT * FROM page ORDER BY key DESC, id DESC LIMIT "
				  "$13::integer)"
				  " SELECT jsonb_build_object("
				  "  'items', (SELECT coalesce(jsonb_agg(asset_json(a) || "
				  "jsonb_build_object('score', s.key)"
				  "            ORDER BY s.key DESC, s.id DESC), '[]')"
				  "            FROM shown s JOIN assets a ON a.id = s.id),"
				  "  'total', (SELECT count(*) FROM m),"
				  "  'facets', jsonb_build_object('persona', " FACET(
				      "unnest(personas)") ","
							  "    'stage', " FACET("unnest(stages)") ", 'kind', " FACET(
							      "kind") ","
								      "    'intent', " FACET(
									  "intent") ")),"
										    " CASE WHEN "
										    "(SELECT "
										    "count(*) FROM "
										    "page) > "
										    "$13::integer "
										    "THEN"
										    "  (SELECT "
										    "key::text || "
										    "' ' || id "
										    "FROM shown "
										    "ORDER BY key, "
										    "id LIMIT 1) "
										    "END");

enum db_status db_asset_search(const struct search_query *q, char **json, char **next)
{
	char limit[16];
	snprintf(limit, sizeof limit, "%d", q->limit);
	const char *p[] = {q->q,	q->tsquery,   q->personas,
			   q->stages,	q->kinds,     q->intents,
			   q->statuses, q->tags,      q->visible_only ? "t" : "f",
			   q->sort,	q->after_key, q->after_id,
			   limit};
	enum db_status s;
	PGresult *res = db_query(true, &q_search, 13, p, &s);
	*json = *next = NULL;
	if (s == DB_OK) {
		*json = strdup(PQgetvalue(res, 0, 0));
		*next = db_dup(res, 0, 1);
		if (*json == NULL)
			s = DB_ERROR;
	}
	PQclear(res);
	return s;
}
