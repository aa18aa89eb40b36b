/* A deal's recommendations: proven assets first, then untested ones (no
 * verdict, too few deals, or inconclusive), then those without effect,
 * those that hurt last; at least one slot in every five goes to
 * an untested asset while there are any, so new content gets its chance. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analytics.h"
#include "db_recommend.h"

enum { PROVEN = 1, UNTESTED = 2, OTHER = 3, HURTS = 4 };
/* The kinds as an item's "evidence" says them. */
static const char *const evidence[] = {"", "proven", "untested", "no_effect", "hurts"};
#define EXPLORE_EVERY 5

/* Why @c is shown, in words: its stored verdict's own (the summary
 * sentence, "too early to tell" for an inconclusive one, what its pending
 * shares mean), and for an untested asset an invitation. */
static const char *reason(json_t *c, const char *stage, char *buf, size_t len)
{
	int kind = (int)json_integer_value(json_object_get(c, "kind"));
	long recent = (long)json_integer_value(json_object_get(c, "recent_shares"));
	const char *said = json_string_value(json_object_get(c, "explanation"));
	if (said == NULL || *said == '\0')
		snprintf(buf, len, "Not tried at %s yet: give it a chance.", stage);
	else if (kind == UNTESTED)
		snprintf(buf, len, "%s Give it a chance.", said);
	else if (kind == OTHER)
		snprintf(buf, len, "%s Shared %ld times in 90 days.", said, recent);
	else
		snprintf(buf, len, "%s", said);
	return buf;
}

/* The next candidate to show from @c (taken flags in @used): the first
 * not yet shown, unless the window of EXPLORE_EVERY has no untested one
 * yet and this is its last slot. */
static size_t pick(json_t *c, bool *used, size_t since_untested)
{
	size_t first = SIZE_MAX, untested = SIZE_MAX;
	for (size_t i = 0; i < json_array_size(c); i++) {
		if (used[i])
			continue;
		int kind = (int)json_integer_value(json_object_get(json_array_get(c, i), "kind"));
		if (first == SIZE_MAX)
			first = i;
		if (kind == UNTESTED && untested == SIZE_MAX)
			untested = i;
	}
	return since_untested >= EXPLORE_EVERY - 1 && untested != SIZE_MAX ? untested : first;
}

json_t *an_recommend(const char *deal, const char *owner_only, int limit, enum db_status *s)
{
	char *text = NULL;
	*s = db_deal_candidates(deal, owner_only, &text);
	json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	json_t *c = json_object_get(doc, "candidates"), *items = json_array();
	bool *used = calloc(json_array_size(c) + 1, sizeof *used);
	if (*s == DB_OK && (!json_is_array(c) || items == NULL || used == NULL))
		*s = DB_ERROR;
	const char *stage = json_string_value(json_object_get(doc, "stage_name"));
	size_t since_untested = 0;
	for (int n = 0; *s == DB_OK && n < limit; n++) {
		size_t i = pick(c, used, since_untested);
		if (i == SIZE_MAX)
			break;
		used[i] = true;
		json_t *cand = json_array_get(c, i), *item = json_object_get(cand, "asset");
		int kind = (int)json_integer_value(json_object_get(cand, "kind"));
		since_untested = kind == UNTESTED ? 0 : since_untested + 1;
		char buf[1200];
		json_object_set_new(item, "reason",
				    json_string(reason(cand, stage ? stage : "", buf, sizeof buf)));
		json_object_set(item, "lift", json_object_get(cand, "lift"));
		json_object_set_new(
		    item, "evidence",
		    json_string(evidence[kind >= PROVEN && kind <= HURTS ? kind : UNTESTED]));
		json_array_append(items, item);
	}
	free(used);
	json_decref(doc);
	if (*s != DB_OK) {
		json_decref(items);
		return NULL;
	}
	return items;
}
