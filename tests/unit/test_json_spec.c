/* Declared JSON specs: every type, missing, extra, wrong-typed, null. */
#include "harness.h"
#include <math.h>
#include "json_spec.h"

static const char *const colors[] = {"red", "green", NULL};

struct out {
	const char *name, *color, *note;
	long long count;
	bool flag;
	const char *tags[4];
	bool has_note;
};

/* Parses @text against a spec with one field of each type. The document
 * lives until the next call: results and e->field borrow from it. */
static json_t *doc;
static bool parse(const char *text, struct out *o, struct js_error *e)
{
	memset(o, 0, sizeof *o);
	struct js_field spec[] = {
	    JS_STR("name", &o->name, JS_REQUIRED, 1, 10),
	    JS_INTEGER("count", &o->count, 0, 0, 100),
	    JS_BOOLEAN("flag", &o->flag, 0),
	    JS_ONE_OF("color", &o->color, 0, colors),
	    JS_STR_ARRAY("tags", o->tags, 0, 0, 3),
	    {"note", JS_STRING, JS_NULLABLE, &o->note, &o->has_note, 0, 50, NULL},
	};
	json_decref(doc);
	doc = json_loads(text, 0, NULL);
	return js_parse(doc, spec, sizeof spec / sizeof spec[0], e);
}

static void all_types_parse(void)
{
	const char *text = "{\"name\":\"ab\",\"count\":7,\"flag\":true,\"color\":\"green\","
			   "\"tags\":[\"x\",\"y\"],\"note\":\"hi\"}";
	json_t *j = json_loads(text, 0, NULL);
	const char *name = NULL, *color = NULL, *note = NULL;
	long long count = 0;
	bool flag = false, has_note = false;
	const char *tags[4] = {0};
	struct js_field spec[] = {
	    JS_STR("name", &name, JS_REQUIRED, 1, 10),
	    JS_INTEGER("count", &count, 0, 0, 100),
	    JS_BOOLEAN("flag", &flag, 0),
	    JS_ONE_OF("color", &color, 0, colors),
	    JS_STR_ARRAY("tags", tags, 0, 0, 3),
	    {"note", JS_STRING, JS_NULLABLE, &note, &has_note, 0, 50, NULL},
	};
	struct js_error e;
	CHECK(js_parse(j, spec, 6, &e));
	CHECK_STR(name, "ab");
	CHECK(count == 7);
	CHECK(flag);
	CHECK_STR(color, "green");
	CHECK_STR(tags[0], "x");
	CHECK_STR(tags[1], "y");
	CHECK(tags[2] == NULL);
	CHECK_STR(note, "hi");
	CHECK(has_note);
	json_decref(j);
}

static void missing_required_field(void)
{
	struct out o;
	struct js_error e;
	CHECK(!parse("{\"count\":1}", &o, &e));
	CHECK(e.code == ERR_MISSING_FIELD);
	CHECK_STR(e.field, "name");
}

static void optional_fields_may_be_absent(void)
{
	struct out o;
	struct js_error e;
	CHECK(parse("{\"name\":\"a\"}", &o, &e));
	CHECK(o.count == 0 && !o.flag && o.color == NULL && !o.has_note);
}

static void unknown_field_is_named(void)
{
	struct out o;
	struct js_error e;
	CHECK(!parse("{\"name\":\"a\",\"nmae\":\"b\"}", &o, &e));
	CHECK(e.code == ERR_UNKNOWN_FIELD);
	CHECK_STR(e.field, "nmae");
}

/* Each wrong-typed value fails naming its field with invalid_field. */
static void wrong_types_are_named(void)
{
	static const struct {
		const char *text, *field;
	} cases[] = {
	    {"{\"name\":5}", "name"},
	    {"{\"name\":\"a\",\"count\":\"5\"}", "count"},
	    {"{\"name\":\"a\",\"count\":1.5}", "count"},
	    {"{\"name\":\"a\",\"flag\":1}", "flag"},
	    {"{\"name\":\"a\",\"color\":\"blue\"}", "color"},
	    {"{\"name\":\"a\",\"color\":3}", "color"},
	    {"{\"name\":\"a\",\"tags\":\"x\"}", "tags"},
	    {"{\"name\":\"a\",\"tags\":[1]}", "tags"},
	    {"{\"name\":\"a\",\"tags\":[\"\"]}", "tags"},
	    {"{\"name\":\"a\",\"note\":false}", "note"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct out o;
		struct js_error e;
		bool ok = parse(cases[i].text, &o, &e);
		CHECK(!ok);
		if (!ok) {
			CHECK(e.code == ERR_INVALID_FIELD);
			CHECK_STR(e.field, cases[i].field);
		}
	}
}

static void bounds_are_enforced(void)
{
	struct out o;
	struct js_error e;
	CHECK(!parse("{\"name\":\"\"}", &o, &e) && e.code == ERR_INVALID_FIELD);
	CHECK(!parse("{\"name\":\"01234567890\"}", &o, &e) && e.code == ERR_INVALID_FIELD);
	CHECK(parse("{\"name\":\"0123456789\"}", &o, &e));
	CHECK(!parse("{\"name\":\"a\",\"count\":101}", &o, &e) && e.code == ERR_INVALID_FIELD);
	CHECK(!parse("{\"name\":\"a\",\"count\":-1}", &o, &e) && e.code == ERR_INVALID_FIELD);
	CHECK(!parse("{\"name\":\"a\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", &o, &e));
}

static void null_only_where_allowed(void)
{
	struct out o;
	struct js_error e;
	CHECK(parse("{\"name\":\"a\",\"note\":null}", &o, &e));
	CHECK(o.has_note && o.note == NULL);
	CHECK(!parse("{\"name\":null}", &o, &e));
	CHECK(e.code == ERR_MISSING_FIELD);
	CHECK(!parse("{\"name\":\"a\",\"count\":null}", &o, &e));
	CHECK(e.code == ERR_INVALID_FIELD);
	CHECK_STR(e.field, "count");
}

static void non_objects_are_invalid_json(void)
{
	struct out o;
	struct js_error e;
	CHECK(!parse("[1,2]", &o, &e) && e.code == ERR_INVALID_JSON);
	CHECK(!parse("\"x\"", &o, &e) && e.code == ERR_INVALID_JSON);
	struct js_field none[] = {JS_STR("x", &o.name, 0, 0, 1)};
	CHECK(!js_parse(NULL, none, 1, &e) && e.code == ERR_INVALID_JSON);
}

static void null_number_is_nan(void)
{
	json_t *j = json_loads("{\"amount\":null}", 0, NULL);
	double amount = 1;
	struct js_field spec[] = {JS_NUMBER("amount", &amount, JS_NULLABLE, 0, 10)};
	struct js_error e;
	CHECK(js_parse(j, spec, 1, &e));
	CHECK(isnan(amount));
	json_decref(j);
}

static void given_names_the_present_keys(void)
{
	json_t *j = json_loads("{\"note\":null,\"name\":\"a\"}", 0, NULL);
	const char *name, *note, *color, *given[4];
	struct js_field spec[] = {
	    JS_STR("name", &name, 0, 1, 10),
	    JS_ONE_OF("color", &color, 0, colors),
	    JS_STR("note", &note, JS_NULLABLE, 1, 10),
	};
	js_given(j, spec, 3, given);
	CHECK_STR(given[0], "name");
	CHECK_STR(given[1], "note");
	CHECK(given[2] == NULL);
	json_decref(j);
}

int main(void)
{
	TEST(all_types_parse);
	TEST(missing_required_field);
	TEST(optional_fields_may_be_absent);
	TEST(unknown_field_is_named);
	TEST(wrong_types_are_named);
	TEST(bounds_are_enforced);
	TEST(null_only_where_allowed);
	TEST(non_objects_are_invalid_json);
	TEST(null_number_is_nan);
	TEST(given_names_the_present_keys);
	json_decref(doc);
	return HARNESS_EXIT();
}
