/* GET /api/v1/assets: search with filters, facets and keyset pages. Each
 * search is recorded, so that searches that find nothing can show what
 * content is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db_search.h"
#include "handlers.h"

#define PAGE_DEFAULT 20 /* a page of results, not a listing */

static const char *const sorts[] = {"relevance", "recent", "shares", "lift", NULL};

/* A repeatable filter as a NULL-terminated list borrowed from @log (NULL
 * when absent), checked against @choices when given; false when a value
 * is not allowed (answered). */
static bool filter(struct req *r, const char *name, const char *const *choices, json_t *log,
		   const char ***out)
{
	json_t *list = req_query_list(r, name);
	*out = NULL;
	if (list == NULL)
		return true;
	json_object_set_new(log, name, list);
	size_t i, n = json_array_size(list);
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (choices != NULL && !one_of(json_string_value(v), choices)) {
			reply_error(r, ERR_INVALID_PARAMETER, name,
				    "%s %s is not one of the known values", name,
				    json_string_value(v));
			return false;
		}
	}
	if ((*out = calloc(n + 1, sizeof **out)) == NULL)
		return false;
	json_array_foreach(list, i, v)(*out)[i] = json_string_value(v);
	return true;
}

struct search {
	struct search_query q;
	const char **lists[6];
	json_t *log;
	const char *cursor; /* as sent; NULL for the first page */
	struct search_after after;
};

static void search_free(struct search *s)
{
	for (int i = 0; i < 6; i++)
		free((void *)s->lists[i]);
	json_decref(s->log);
}

/* Reads the query string into @s; false when something is wrong (answered). */
static bool read_query(struct req *r, struct search *s)
{
	const char *q = req_query(r, "q");
	q = q ? q : "";
	json_t *qs = json_string(q);
	json_decref(qs);
	if (strlen(q) > SEARCH_Q_MAX || qs == NULL) {
		reply_error(r, ERR_INVALID_PARAMETER, "q",
			    "q must be UTF-8 text of at most %d bytes", SEARCH_Q_MAX);
		return false;
	}
	const char *sort = req_query(r, "sort");
	sort = sort ? sort : (*q ? "relevance" : "recent");
	if (!one_of(sort, sorts)) {
		reply_error(r, ERR_INVALID_PARAMETER, "sort",
			    "sort is relevance, recent, shares or lift");
		return false;
	}
	if (!req_page_opaque(r, PAGE_DEFAULT, &s->q.limit, &s->cursor))
		return false;
	if (s->cursor != NULL && !db_search_cursor(s->cursor, sort, &s->after)) {
		reply_error(r, ERR_INVALID_PARAMETER, "cursor",
			    "cursor is not one this server gave");
		return false;
	}
	s->log = json_object();
	s->q.q = q;
	s->q.sort = sort;
	s->q.after = s->cursor ? &s->after : NULL;
	s->q.visible_only = r->user->role == ROLE_REP;
	return filter(r, "persona", NULL, s->log, &s->lists[0]) &&
	       filter(r, "stage", NULL, s->log, &s->lists[1]) &&
	       filter(r, "kind", asset_kinds, s->log, &s->lists[2]) &&
	       filter(r, "intent", asset_intents, s->log, &s->lists[3]) &&
	       filter(r, "status", asset_statuses, s->log, &s->lists[4]) &&
	       filter(r, "tag", NULL, s->log, &s->lists[5]);
}

void h_assets_search(struct req *r)
{
	struct search s = {0};
	if (!read_query(r, &s)) {
		search_free(&s);
		return;
	}
	s.q.personas = s.lists[0];
	s.q.stages = s.lists[1];
	s.q.kinds = s.lists[2];
	s.q.intents = s.lists[3];
	s.q.statuses = s.lists[4];
	s.q.tags = s.lists[5];
	char *json = NULL;
	long total = 0;
	enum db_status st = db_asset_search(&s.q, &json, &total);
	if (st == DB_OK && s.cursor == NULL) { /* a search, not the next page of one */
		db_searchlog_add(r->user->id, s.q.q, s.log, total);
	}
	reply_db_json(r, st, NULL, 200, json);
	search_free(&s);
}
