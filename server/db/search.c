/* Asset search: one statement computes the matches once (MATERIALIZED),
 * then the page, the total and the facet counts from them, and returns
 * the page already as the API's JSON. */
#include "db_search.h"

#include <stdlib.h>
#include <string.h>
#include "db_internal.h"

/* The statement is planned at every execution (a custom plan): a generic
 * plan cannot drop the conditions of absent filters, and only then do the
 * GIN indexes serve. So the conditions use the parameters directly (no CTE
 * of parameters), and planning is kept cheap (see schema/0011).
 *
 * The parameters: $1 the words, $2 their tsquery, $3-$8 the filters
 * (text[] or NULL), $9 visible only, $10 the sort, $11/$12 the cursor's
 * key and id (or NULL), $13 the page size.
 *
 * m: the matches with their sort key; a new sort is one more WHEN.
 * page: one more than a page after the cursor, so that next_cursor knows
 * whether there is more. The items are built by asset_json() over rows
 * joined here (inlined: no function call per item), the facets by one
 * aggregate per facet over m. json, not jsonb: nothing parses it here. */
// clang-format off
static struct db_stmt q_search = DB_STMT(
    "WITH m AS MATERIALIZED ("
    "  SELECT a.id, a.kind, a.intent, a.personas, a.stages,"
    "    CASE $10::text"
    "      WHEN 'relevance' THEN round(("
    "        CASE WHEN $2 = '' THEN 0 ELSE ts_rank(a.search, to_tsquery('english', $2)) END"
    "        + CASE WHEN $1 = '' THEN 0 ELSE word_similarity($1, a.title) END)::numeric, 6)"
    "      WHEN 'recent' THEN extract(epoch FROM a.created_at)"
    "      ELSE 0::numeric"
    "    END AS key"
    "  FROM assets a"
    "  WHERE ($1 = '' OR a.search @@ to_tsquery('english', $2) OR a.title %> $1)"
    "    AND ($3::text[] IS NULL OR a.personas && $3::text[])"
    "    AND ($4::text[] IS NULL OR a.stages && $4::text[])"
    "    AND ($5::text[] IS NULL OR a.kind = ANY ($5::text[]))"
    "    AND ($6::text[] IS NULL OR a.intent = ANY ($6::text[]))"
    "    AND ($7::text[] IS NULL OR a.status = ANY ($7::text[]))"
    "    AND ($8::text[] IS NULL OR a.tags && $8::text[])"
    "    AND (NOT $9::boolean OR (a.status = 'published'"
    "         AND (a.expires_at IS NULL OR a.expires_at > now())))),"
    " page AS ("
    "  SELECT m.id, m.key FROM m"
    "  WHERE $11::numeric IS NULL OR (m.key, m.id) < ($11::numeric, $12::uuid)"
    "  ORDER BY m.key DESC, m.id DESC"
    "  LIMIT $13::integer + 1)"
    " SELECT json_build_object("
    "  'items', (SELECT coalesce(json_agg(asset_json(a,"
    "                CASE WHEN v.asset_id IS NOT NULL THEN version_json(v, b) END, p.key)"
    "              ORDER BY p.key DESC, p.id DESC), '[]')"
    "            FROM (SELECT * FROM page ORDER BY key DESC, id DESC LIMIT $13::integer) p"
    "            JOIN assets a ON a.id = p.id"
    "            LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = a.current_version"
    "            LEFT JOIN blobs b ON b.id = v.blob_id),"
    "  'total', (SELECT count(*) FROM m),"
    "  'facets', json_build_object("
    "    'persona', (SELECT coalesce(json_object_agg(v, n), '{}') FROM"
    "                (SELECT unnest(personas) AS v, count(*) AS n FROM m GROUP BY 1) x),"
    "    'stage', (SELECT coalesce(json_object_agg(v, n), '{}') FROM"
    "              (SELECT unnest(stages) AS v, count(*) AS n FROM m GROUP BY 1) x),"
    "    'kind', (SELECT coalesce(json_object_agg(v, n), '{}') FROM"
    "             (SELECT kind AS v, count(*) AS n FROM m GROUP BY 1) x),"
    "    'intent', (SELECT coalesce(json_object_agg(v, n), '{}') FROM"
    "               (SELECT intent AS v, count(*) AS n FROM m GROUP BY 1) x)),"
    /* base64url of "sort key id" of the page's last item, as
     * cursor_decode() reads it */
    "  'next_cursor', CASE WHEN (SELECT count(*) FROM page) > $13::integer THEN"
    "    (SELECT translate(rtrim(encode(convert_to($10 || ' ' || key || ' ' || id, 'UTF8'),"
    "                                   'base64'), '='), E'+/\\n', '-_')"
    "     FROM page ORDER BY key DESC, id DESC OFFSET $13::integer - 1 LIMIT 1) END),"
    " (SELECT count(*) FROM m)");
// clang-format on

/* A PostgreSQL array literal of @v ({"a","b\"c"}), malloc'd; NULL for
 * NULL. */
static char *pg_array(const char *const *v)
{
	if (v == NULL)
		return NULL;
	size_t len = 3;
	for (const char *const *e = v; *e; e++)
		len += 2 * strlen(*e) + 3;
	char *out = malloc(len), *o = out;
	if (out == NULL)
		return NULL;
	*o++ = '{';
	for (const char *const *e = v; *e; e++) {
		if (e != v)
			*o++ = ',';
		*o++ = '"';
		for (const char *c = *e; *c; c++) {
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return out;
}

enum db_status db_asset_search(const struct search_query *q, char **json, long *total)
{
	char limit[16];
	snprintf(limit, sizeof limit, "%d", q->limit);
	const char *const *lists[] = {q->personas, q->stages,	q->kinds,
				      q->intents,  q->statuses, q->tags};
	char *arrays[6];
	for (int i = 0; i < 6; i++)
		arrays[i] = pg_array(lists[i]);
	const char *p[] = {q->q,      q->tsquery,   arrays[0],
			   arrays[1], arrays[2],    arrays[3],
			   arrays[4], arrays[5],    q->visible_only ? "t" : "f",
			   q->sort,   q->after_key, q->after_id,
			   limit};
	enum db_status s;
	PGresult *res = db_query(true, &q_search, 13, p, &s);
	for (int i = 0; i < 6; i++)
		free(arrays[i]);
	*json = NULL;
	if (s == DB_OK) {
		*json = strdup(PQgetvalue(res, 0, 0));
		*total = db_int(res, 0, 1);
		if (*json == NULL)
			s = DB_ERROR;
	}
	PQclear(res);
	return s;
}
