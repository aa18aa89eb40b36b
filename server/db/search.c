/* Asset search: one statement computes the matches once (MATERIALIZED),
 * then the page, the total and the facet counts from them, and returns
 * the page already as the API's JSON. The formats a search speaks are
 * made and read here only: the words' and the filters' tsqueries, and the
 * cursor (made by the statement, read by db_search_cursor). */
#include "db_search.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_internal.h"
#include "model.h"

#define Q_WORDS 16 /* words of a search at most */
/* A title like the words is a match too while the words themselves match
 * fewer assets than this: it is for words mistyped, which match little. */
#define TYPO_BELOW "20"
#define CURSOR_MAX 160 /* bytes of a decoded cursor */

/* The statement is planned once per connection (a generic plan): the
 * conditions that need an index are always present, whatever the filters.
 * The persona, stage and tag filters are lexemes of the search document
 * ('#p=cfo', '#s=evaluation', '#t=pricing', and '#all' in every document:
 * schema/functions/asset_search_doc.sql), so the words and the filters are
 * one tsquery on one GIN index, and the typo branch is the filters'
 * tsquery with the title's trigrams on another. The tsqueries are computed once per
 * execution (the scalar subqueries become InitPlans); since the planner
 * then cannot see their values, a custom plan would be no better and
 * PostgreSQL keeps the generic one after its first five executions
 * (planning was a quarter of a search's CPU).
 *
 * The parameters: $1 the words, $2 their tsquery (to_tsquery syntax, from
 * words_tsquery), $3 the filters' tsquery (NULL for none), $4-$6 the kind,
 * intent and status filters (text[] or NULL), $7 visible only, $8 the sort,
 * $9/$10 the cursor's key and id (or NULL), $11 the page size.
 *
 * m: the matches with their sort key; a new sort is one more WHEN (by
 * relevance: the words' ts_rank on the document's head, above 1, then
 * the titles like the words by their similarity, below 1). The
 * matches are three arms, each on its index (schema/0029_search_arms.sql):
 * w, the words (with the filters) in a.search (title to the file's text);
 * a title like the words, with the filters, while w is small (its trigram
 * scan was a fifth of a search's time); without words, the filters
 * alone. The last two, and the rank, read a.search_head (title to
 * description: small and in line, where the whole document is tens of kB
 * out of line; schema/0026_search_inside.sql); nothing reads a.search
 * back from the table (one arm with both would recheck it: the trigram
 * operator's rows are always rechecked).
 * page: one more than a page after the cursor, so that next_cursor knows
 * whether there is more. The items are built by asset_json() over rows
 * joined here (inlined: no function call per item), the facets by one
 * aggregate per facet over m. json, not jsonb: nothing parses it here.
 * Each item's snippet is made for the page's items only: the best page of
 * its current version's file with any of the words ($2 with '|' for '&'),
 * and its excerpt by search_snippet() (escaped HTML, <mark> only), which
 * looks first near the first match of the words' stems as a regular
 * expression ('\m(secur|complian)': letters and digits only, as $2 is;
 * a final 'i' also as 'y', the stemmer's policy -> polici). */
// clang-format off
#define SEARCH_PAGE \
    /* the three arms' columns: those m needs, never the whole document */ \
    "WITH w AS MATERIALIZED (" \
    "  SELECT a.id, a.kind, a.intent, a.status, a.expires_at, a.personas, a.stages," \
    "    a.title, a.search_head, a.created_at, true AS exact" \
    "  FROM assets a" \
    "  WHERE a.search @@ (SELECT CASE WHEN $1 = '' THEN NULL" \
    "           WHEN $3::tsquery IS NULL THEN nullif(to_tsquery('english', $2), '')" \
    "           ELSE nullif(to_tsquery('english', $2), '') && $3::tsquery END))," \
    " m AS MATERIALIZED (" \
    "  SELECT a.id, a.kind, a.intent, a.personas, a.stages," \
    "    CASE $8::text" \
    "      WHEN 'relevance' THEN round((CASE WHEN $1 = '' THEN 0" \
    "        WHEN a.exact THEN 1 + ts_rank(a.search_head, (SELECT to_tsquery('english', $2)))" \
    "        ELSE word_similarity($1, a.title) END)::numeric, 6)" \
    "      WHEN 'recent' THEN extract(epoch FROM a.created_at)" \
    /* the rollups' count (a few seconds behind), and the best judged lift \
     * of the stored verdicts (an infinite one first, untested last) */ \
    "      WHEN 'shares' THEN coalesce((SELECT u.shares FROM usage_asset u" \
    "        WHERE u.asset_id = a.id), 0)::numeric" \
    "      WHEN 'lift' THEN round(coalesce((SELECT max(coalesce(v.lift, 1e6))" \
    "        FROM stage_verdicts v WHERE v.asset_id = a.id" \
    "         AND v.verdict IN ('moves_deals', 'no_effect', 'hurts')), -1)::numeric, 6)" \
    "      ELSE 0::numeric" \
    "    END AS key" \
    "  FROM (SELECT * FROM w" \
    /* or a title like the words, with the filters, while the words find \
     * fewer than TYPO_BELOW assets (none without words) */ \
    "    UNION ALL SELECT a.id, a.kind, a.intent, a.status, a.expires_at, a.personas," \
    "      a.stages, a.title, a.search_head, a.created_at, false" \
    "    FROM assets a" \
    "    WHERE a.search_head @@ (SELECT coalesce($3::tsquery, '''#all'''))" \
    "      AND a.title %> nullif($1, '') AND a.id NOT IN (SELECT id FROM w)" \
    "      AND (SELECT count(*) FROM w) < " TYPO_BELOW \
    /* or, without words, the filters alone (or all) */ \
    "    UNION ALL SELECT a.id, a.kind, a.intent, a.status, a.expires_at, a.personas," \
    "      a.stages, a.title, a.search_head, a.created_at, true" \
    "    FROM assets a" \
    "    WHERE a.search_head @@ (SELECT CASE WHEN $1 = '' THEN" \
    "      coalesce($3::tsquery, '''#all''') END)) a" \
    "  WHERE ($4::text[] IS NULL OR a.kind = ANY ($4::text[]))" \
    "    AND ($5::text[] IS NULL OR a.intent = ANY ($5::text[]))" \
    "    AND ($6::text[] IS NULL OR a.status = ANY ($6::text[]))" \
    "    AND (NOT $7::boolean OR (a.status = 'published'" \
    "         AND (a.expires_at IS NULL OR a.expires_at > now()))))," \
    " page AS (" \
    "  SELECT m.id, m.key FROM m" \
    "  WHERE $9::numeric IS NULL OR (m.key, m.id) < ($9::numeric, $10::uuid)" \
    "  ORDER BY m.key DESC, m.id DESC" \
    "  LIMIT $11::integer + 1)"

/* the page, as {"items": [...], "next_cursor": ...} */
#define SEARCH_ITEMS \
    " SELECT json_build_object(" \
    "  'items', (SELECT coalesce(json_agg(asset_json(a," \
    "                CASE WHEN v.asset_id IS NOT NULL THEN version_json(v, b, t) END, p.key," \
    /* what the next-stage test said at each judged stage, in a sentence */ \
    "                (SELECT coalesce(json_agg(json_build_object('stage', sv.stage," \
    "                   'verdict', sv.verdict, 'explanation', sv.explanation)" \
    "                   ORDER BY st.position), '[]')" \
    "                 FROM stage_verdicts sv JOIN stages st ON st.slug = sv.stage" \
    "                 WHERE sv.asset_id = a.id AND sv.verdict <> 'insufficient_data')," \
    "                CASE WHEN s.page IS NOT NULL THEN json_build_object('page', s.page," \
    "                  'html', search_snippet(s.text," \
    "                    (SELECT to_tsquery('english', replace($2, '&', '|')))," \
    "                    (SELECT '\\m(' || string_agg(regexp_replace(regexp_replace(l," \
    "                       '(\\W)', '\\\\\\1', 'g'), 'i$', '[iy]'), '|') || ')'" \
    "                     FROM unnest(tsvector_to_array(to_tsvector('english', $2))) l))) END)" \
    "              ORDER BY p.key DESC, p.id DESC), '[]')" \
    "            FROM (SELECT * FROM page ORDER BY key DESC, id DESC LIMIT $11::integer) p" \
    "            JOIN assets a ON a.id = p.id" \
    "            LEFT JOIN asset_versions v ON v.asset_id = a.id AND v.number = a.current_version" \
    "            LEFT JOIN blobs b ON b.id = v.blob_id" \
    "            LEFT JOIN blob_texts t ON t.blob_id = v.blob_id" \
    /* the page of the file where the words are, the best of those with \
     * any of them: any word, since the words match the document as a \
     * whole, and a page with all of them ranks first */ \
    "            LEFT JOIN LATERAL (SELECT bp.page, bp.text FROM blob_pages bp" \
    "              WHERE $2 <> '' AND bp.blob_id = v.blob_id" \
    "                AND bp.words @@ (SELECT nullif(to_tsquery('english', replace($2, '&', '|')), ''))" \
    "              ORDER BY ts_rank(bp.words, (SELECT to_tsquery('english', $2))) DESC, bp.page" \
    "              LIMIT 1) s ON true)," \
    /* base64url of "sort key id" of the page's last item, as \
     * db_search_cursor() reads it */ \
    "  'next_cursor', CASE WHEN (SELECT count(*) FROM page) > $11::integer THEN" \
    "    (SELECT translate(rtrim(encode(convert_to($8 || ' ' || key || ' ' || id, 'UTF8')," \
    "                                   'base64'), '='), E'+/\\n', '-_')" \
    "     FROM page ORDER BY key DESC, id DESC OFFSET $11::integer - 1 LIMIT 1) END)"

/* the total and the facets of the matches */
#define SEARCH_FACETS \
    " (SELECT count(*) FROM m)," \
    " json_build_object(" \
    "    'persona', (SELECT coalesce(json_object_agg(v, n), '{}') FROM" \
    "                (SELECT unnest(personas) AS v, count(*) AS n FROM m GROUP BY 1) x)," \
    "    'stage', (SELECT coalesce(json_object_agg(v, n), '{}') FROM" \
    "              (SELECT unnest(stages) AS v, count(*) AS n FROM m GROUP BY 1) x)," \
    "    'kind', (SELECT coalesce(json_object_agg(v, n), '{}') FROM" \
    "             (SELECT kind AS v, count(*) AS n FROM m GROUP BY 1) x)," \
    "    'intent', (SELECT coalesce(json_object_agg(v, n), '{}') FROM" \
    "               (SELECT intent AS v, count(*) AS n FROM m GROUP BY 1) x))"

/* A listing without words by recency, when the kept total says it is long
 * (LIST_WALK_MIN): the page straight off the index of creation times,
 * the filters checked on each row it passes (IS TRUE keeps the planner off
 * the GIN index, whose matches would all be read and sorted); 21 rows
 * read for a listing of the whole library instead of 10,000. The index
 * bound is the cursor's time rounded up (its epoch as float8 is within a
 * microsecond); the exact comparison is the filter's ($9 is numeric
 * first: a parameter takes the type of its first cast, and a float8 $9
 * rounded up repeated the ties at the end of a page). */
#define SEARCH_LIST_PAGE \
    "WITH page AS (" \
    "  SELECT a.id, extract(epoch FROM a.created_at) AS key FROM assets a" \
    "  WHERE $1::text = ''" \
    "    AND (a.search_head @@ (SELECT coalesce($3::tsquery, '''#all'''))) IS TRUE" \
    "    AND ($4::text[] IS NULL OR a.kind = ANY ($4::text[]))" \
    "    AND ($5::text[] IS NULL OR a.intent = ANY ($5::text[]))" \
    "    AND ($6::text[] IS NULL OR a.status = ANY ($6::text[]))" \
    "    AND (NOT $7::boolean OR (a.status = 'published'" \
    "         AND (a.expires_at IS NULL OR a.expires_at > now())))" \
    "    AND a.created_at <= coalesce(to_timestamp($9::numeric::float8) + interval '2 microseconds'," \
    "                                 'infinity')" \
    "    AND ($9::numeric IS NULL OR (extract(epoch FROM a.created_at), a.id)" \
    "         < ($9::numeric, $10::uuid))" \
    "  ORDER BY a.created_at DESC, a.id DESC" \
    "  LIMIT $11::integer + 1)"
#define LIST_WALK_MIN 1000

/* the library's generation (schema/0029_search_arms.sql) and when the
 * next asset expires: until one or the other, the total and the facets
 * of the same words and filters stay what they are */
static struct db_stmt q_search = DB_STMT(SEARCH_PAGE SEARCH_ITEMS "," SEARCH_FACETS
    ", (SELECT n FROM library_generation),"
    " extract(epoch FROM (SELECT min(expires_at) FROM assets WHERE expires_at > now()))");
/* the page alone, with the generation and the time it read them at */
static struct db_stmt q_search_page = DB_STMT(SEARCH_PAGE SEARCH_ITEMS
    ", (SELECT n FROM library_generation), extract(epoch FROM now())");
static struct db_stmt q_list_page = DB_STMT(SEARCH_LIST_PAGE SEARCH_ITEMS
    ", (SELECT n FROM library_generation), extract(epoch FROM now())");
// clang-format on

bool db_search_cursor(const char *cursor, const char *sort, struct search_after *after)
{
	char text[CURSOR_MAX], s[16];
	size_t len;
	if (sodium_base642bin((unsigned char *)text, sizeof text - 1, cursor, strlen(cursor), NULL,
			      &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return false;
	text[len] = '\0';
	if (strlen(text) != len) /* a NUL inside */
		return false;
	if (sscanf(text, "%15s %39s %36s", s, after->key, after->id) != 3 || strcmp(s, sort) != 0 ||
	    !uuid_valid(after->id))
		return false;
	return strspn(after->key, "0123456789.-") == strlen(after->key);
}

/* "w1 & w2 & w3:*" from the words of @q (letters, digits and non-ASCII
 * bytes; everything else separates words and never reaches to_tsquery).
 * The last word is a prefix, stemmed by to_tsquery like a whole word: a
 * final "y" would become "i" ("policy" -> 'polici':*) and miss the words it
 * begins ("policyholder" is 'policyhold'), so it is left out ('polic':*
 * finds both). */
static void words_tsquery(const char *q, char *out, size_t len)
{
	size_t o = 0, last = 0;
	int words = 0;
	out[0] = '\0';
	for (const unsigned char *c = (const unsigned char *)q; *c && words < Q_WORDS;) {
		while (*c && !isalnum(*c) && *c < 0x80)
			c++;
		if (!*c)
			break;
		if (words++ > 0 && o + 3 < len) {
			memcpy(out + o, " & ", 3);
			o += 3;
		}
		last = o;
		while (*c && (isalnum(*c) || *c >= 0x80) && o + 4 < len)
			out[o++] = (char)tolower(*c++);
		while (*c && (isalnum(*c) || *c >= 0x80))
			c++; /* the rest of a word too long for @out */
	}
	if (words > 0 && o - last > 2 && out[o - 1] == 'y')
		o--;
	if (words > 0 && o + 2 < len) /* the last word may be a prefix */
		memcpy(out + o, ":*", 2), o += 2;
	out[o] = '\0';
}

/* Appends to @o the tsquery alternatives of one filter, "('#p=a' | '#p=b')"
 * for @prefix "#p=" (quotes and backslashes doubled, as tsquery input
 * wants them inside quotes); returns the new end. */
static char *filter_alternatives(char *o, const char *prefix, const char *const *v)
{
	*o++ = '(';
	for (const char *const *e = v; *e; e++) {
		if (e != v)
			o += sprintf(o, " | ");
		o += sprintf(o, "'%s", prefix);
		for (const char *c = *e; *c; c++) {
			if (*c == '\'' || *c == '\\')
				*o++ = *c;
			*o++ = *c;
		}
		*o++ = '\'';
	}
	*o++ = ')';
	return o;
}

/* The tsquery of the persona, stage and tag filters (OR within one, AND
 * across), as the lexemes of the search document name them; NULL in *@out
 * when there is none. False when out of memory. */
static bool filter_tsquery(const struct search_query *q, char **out)
{
	const char *const *lists[] = {q->personas, q->stages, q->tags};
	const char *prefixes[] = {"#p=", "#s=", "#t="};
	size_t len = 1;
	for (int i = 0; i < 3; i++)
		for (const char *const *e = lists[i]; e && *e; e++)
			len += 2 * strlen(*e) + 16;
	*out = NULL;
	if (len == 1)
		return true;
	char *o = *out = malloc(len + 3 * 8);
	if (o == NULL)
		return false;
	for (int i = 0; i < 3; i++) {
		if (lists[i] == NULL || *lists[i] == NULL)
			continue;
		if (o != *out)
			o += sprintf(o, " & ");
		o = filter_alternatives(o, prefixes[i], lists[i]);
	}
	*o = '\0';
	return true;
}

/* The cache key of a search's total and facets: everything that decides
 * its matches (not the sort, the cursor or the page size), separated by
 * a byte that none of them holds. malloc'd; NULL when out of memory. */
static char *cache_key(const char *const p[7])
{
	size_t len = 8;
	for (int i = 0; i < 7; i++)
		len += (p[i] ? strlen(p[i]) : 0) + 2;
	char *key = malloc(len), *o = key;
	for (int i = 0; key != NULL && i < 7; i++)
		o += sprintf(o, "%s\x1f", p[i] ? p[i] : "\x1e");
	return key;
}

/* {"items": ..., "next_cursor": ...} of @page with "total" and "facets"
 * added before its closing brace; NULL when out of memory. */
static char *answer(const char *page, long total, const char *facets)
{
	size_t len = strlen(page);
	char *out = malloc(len + strlen(facets) + 48);
	if (out != NULL)
		sprintf(out, "%.*s,\"total\":%ld,\"facets\":%s}", (int)(len - 1), page, total,
			facets);
	return out;
}

/* The page alone, its facets from @c when the library is still what it
 * was when they were read. DB_OK with *@json NULL: they were not (the
 * caller reads them afresh). */
static enum db_status page_with(const char *const p[11], const struct search_cached *c, char **json)
{
	enum db_status s;
	bool list = p[0][0] == '\0' && strcmp(p[7], "recent") == 0 && c->total >= LIST_WALK_MIN;
	PGresult *res = db_query(true, list ? &q_list_page : &q_search_page, 11, p, &s);
	*json = NULL;
	if (s == DB_OK) {
		bool fresh = !PQgetisnull(res, 0, 1) &&
			     strtoll(PQgetvalue(res, 0, 1), NULL, 10) == c->generation &&
			     strtod(PQgetvalue(res, 0, 2), NULL) < c->valid_until;
		search_cache_result(fresh);
		if (fresh && (*json = answer(PQgetvalue(res, 0, 0), c->total, c->facets)) == NULL)
			s = DB_ERROR;
	}
	PQclear(res);
	return s;
}

/* The page with its total and facets read afresh, and kept for @key. */
static enum db_status page_and_facets(const char *const p[11], const char *key, char **json,
				      long *total)
{
	enum db_status s;
	PGresult *res = db_query(true, &q_search, 11, p, &s);
	if (s == DB_OK) {
		struct search_cached c = {.generation = strtoll(PQgetvalue(res, 0, 3), NULL, 10),
					  .valid_until = PQgetisnull(res, 0, 4)
							     ? INFINITY
							     : strtod(PQgetvalue(res, 0, 4), NULL),
					  .total = db_int(res, 0, 1),
					  .facets = PQgetvalue(res, 0, 2)};
		*total = c.total;
		if ((*json = answer(PQgetvalue(res, 0, 0), c.total, c.facets)) == NULL)
			s = DB_ERROR;
		else if (key != NULL && !PQgetisnull(res, 0, 3))
			search_cache_put(key, &c);
	}
	PQclear(res);
	return s;
}

enum db_status db_asset_search(const struct search_query *q, char **json, long *total)
{
	char limit[16], words[2 * SEARCH_Q_MAX];
	snprintf(limit, sizeof limit, "%d", q->limit);
	words_tsquery(q->q, words, sizeof words);
	char *filters;
	if (!filter_tsquery(q, &filters))
		return DB_ERROR;
	const char *const *lists[] = {q->kinds, q->intents, q->statuses};
	char *arrays[3];
	for (int i = 0; i < 3; i++)
		arrays[i] = db_array(lists[i]);
	const char *p[] = {q->q,
			   words,
			   filters,
			   arrays[0],
			   arrays[1],
			   arrays[2],
			   q->visible_only ? "t" : "f",
			   q->sort,
			   q->after ? q->after->key : NULL,
			   q->after ? q->after->id : NULL,
			   limit};
	char *key = cache_key(p);
	struct search_cached c;
	enum db_status s = DB_OK;
	*json = NULL;
	if (key != NULL && search_cache_get(key, &c)) {
		s = page_with(p, &c, json);
		*total = c.total;
		free(c.facets);
	}
	if (s == DB_OK && *json == NULL)
		s = page_and_facets(p, key, json, total);
	free(key);
	free(filters);
	for (int i = 0; i < 3; i++)
		free(arrays[i]);
	return s;
}
