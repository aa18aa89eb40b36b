/* Declared JSON input (include/json_spec.h): a body as the server loads it
 * (jansson, duplicate keys refused), checked against a spec with a field
 * of every type, required, optional and nullable. When js_parse accepts,
 * every value it stored must be within the spec's type and bounds; when
 * it refuses, its error must be one the API answers with, naming a field
 * of the spec or a key of the body. js_given must name only fields of the
 * body, in spec order. */
#include <math.h>
#include <string.h>
#include "fuzz.h"
#include "json_spec.h"
#include "model.h"

#define TAGS_MAX 3

static const char *const stages[] = {"lead", "proposal", "won", "lost", NULL};

struct got {
	const char *title, *summary, *stage, *tags[TAGS_MAX + 1];
	long long count;
	double score;
	bool pinned;
	bool has_summary, has_score, has_tags;
};

static void check_ok(json_t *obj, const struct got *g)
{
	FUZZ_CHECK(g->title != NULL && strlen(g->title) >= 1 && strlen(g->title) <= 200);
	FUZZ_CHECK(utf8_valid(g->title));
	FUZZ_CHECK(g->summary == NULL || strlen(g->summary) <= 2000);
	FUZZ_CHECK(g->has_summary == (json_object_get(obj, "summary") != NULL));
	FUZZ_CHECK(g->stage == NULL || one_of(g->stage, stages));
	FUZZ_CHECK(g->count >= -5 && g->count <= 1000000);
	FUZZ_CHECK(isnan(g->score) ? json_is_null(json_object_get(obj, "score"))
				   : g->score >= -1 && g->score <= 1);
	if (g->has_tags) {
		size_t n = 0;
		while (g->tags[n] != NULL) {
			FUZZ_CHECK(n < TAGS_MAX);
			FUZZ_CHECK(strlen(g->tags[n]) >= 1 && strlen(g->tags[n]) <= 200);
			n++;
		}
		FUZZ_CHECK(n == json_array_size(json_object_get(obj, "tags")));
	}
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		FUZZ_CHECK(strcmp(key, "title") == 0 || strcmp(key, "summary") == 0 ||
			   strcmp(key, "stage") == 0 || strcmp(key, "count") == 0 ||
			   strcmp(key, "score") == 0 || strcmp(key, "pinned") == 0 ||
			   strcmp(key, "tags") == 0);
	}
}

static void check_refused(const json_t *obj, const struct js_field *spec, size_t n,
			  const struct js_error *e)
{
	FUZZ_CHECK(strlen(e->detail) < sizeof e->detail);
	if (!json_is_object(obj)) {
		FUZZ_CHECK(e->code == ERR_INVALID_JSON && e->field == NULL);
		return;
	}
	FUZZ_CHECK(e->field != NULL);
	bool in_spec = false;
	for (size_t i = 0; i < n; i++)
		in_spec = in_spec || strcmp(e->field, spec[i].name) == 0;
	if (e->code == ERR_UNKNOWN_FIELD) {
		FUZZ_CHECK(!in_spec && json_object_get(obj, e->field) != NULL);
	} else {
		FUZZ_CHECK(e->code == ERR_MISSING_FIELD || e->code == ERR_INVALID_FIELD);
		FUZZ_CHECK(in_spec);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (obj == NULL)
		return 0;
	struct got g = {.count = 0, .score = 0};
	struct js_field spec[] = {
	    JS_STR("title", &g.title, JS_REQUIRED, 1, 200),
	    JS_STR("summary", &g.summary, JS_NULLABLE, 0, 2000),
	    JS_ONE_OF("stage", &g.stage, JS_NULLABLE, stages),
	    JS_INTEGER("count", &g.count, 0, -5, 1000000),
	    JS_NUMBER("score", &g.score, JS_NULLABLE, -1, 1),
	    JS_BOOLEAN("pinned", &g.pinned, 0),
	    JS_STR_ARRAY("tags", g.tags, 0, 0, TAGS_MAX),
	};
	size_t n = sizeof spec / sizeof spec[0];
	spec[1].present = &g.has_summary;
	spec[4].present = &g.has_score;
	spec[6].present = &g.has_tags;
	struct js_error e;
	if (js_parse(obj, spec, n, &e))
		check_ok(obj, &g);
	else
		check_refused(obj, spec, n, &e);
	const char *given[sizeof spec / sizeof spec[0] + 1];
	js_given(obj, spec, n, given);
	for (size_t i = 0, last = 0; given[i] != NULL; i++) {
		FUZZ_CHECK(i < n);
		size_t k = 0;
		while (k < n && strcmp(given[i], spec[k].name) != 0)
			k++;
		FUZZ_CHECK(k < n && (i == 0 || k > last));
		FUZZ_CHECK(json_object_get(obj, given[i]) != NULL);
		last = k;
	}
	/* An object's members one level down are bodies too (nested specs
	 * are not declared, but their strings reach js_parse the same way). */
	const char *key;
	json_t *v;
	if (json_is_object(obj))
		json_object_foreach(obj, key, v)
		{
			if (json_is_object(v) && !js_parse(v, spec, n, &e))
				check_refused(v, spec, n, &e);
		}
	json_decref(obj);
	return 0;
}
