/* application/x-www-form-urlencoded decoding (server/util/urlform.c). */
#include <stdlib.h>
#include "harness.h"
#include "urlform.h"

static json_t *parse(const char *body, struct urlform_error *e)
{
	return urlform_parse(body, strlen(body), e);
}

static const char *get(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void fields_are_decoded(void)
{
	struct urlform_error e;
	json_t *o = parse("name=Ann+Lee&email=ann%40example.com&company=A%26B%3DC&consent=yes", &e);
	CHECK(o != NULL);
	CHECK_STR(get(o, "name"), "Ann Lee");
	CHECK_STR(get(o, "email"), "ann@example.com");
	CHECK_STR(get(o, "company"), "A&B=C");
	CHECK_STR(get(o, "consent"), "yes");
	CHECK(json_object_size(o) == 4);
	json_decref(o);
}

static void utf8_and_empty_values(void)
{
	struct urlform_error e;
	json_t *o = parse("name=J%C3%BCrgen&company=&flag&&x=a=b&", &e);
	CHECK(o != NULL);
	CHECK_STR(get(o, "name"), "J\xc3\xbcrgen");
	CHECK_STR(get(o, "company"), "");
	CHECK_STR(get(o, "flag"), "");
	CHECK_STR(get(o, "x"), "a=b");
	CHECK(json_object_size(o) == 4);
	json_decref(o);
	o = parse("", &e);
	CHECK(o != NULL && json_object_size(o) == 0);
	json_decref(o);
}

static void bad_escapes_are_refused(void)
{
	static const char *const bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1&b=%"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct urlform_error e;
		json_t *o = parse(bad[i], &e);
		CHECK(o == NULL);
		if (o == NULL)
			CHECK(e.code == ERR_BAD_REQUEST);
		json_decref(o);
	}
}

static void values_must_be_text(void)
{
	struct urlform_error e;
	CHECK(parse("name=a%00b", &e) == NULL);
	CHECK(e.code == ERR_INVALID_FIELD);
	CHECK_STR(e.field, "name");
	CHECK(parse("company=%C3%28", &e) == NULL);
	CHECK(e.code == ERR_INVALID_FIELD);
	CHECK_STR(e.field, "company");
	CHECK(parse("n%FFame=x", &e) == NULL);
	CHECK(e.code == ERR_BAD_REQUEST);
	CHECK(parse("a%00=x", &e) == NULL);
	CHECK(e.code == ERR_BAD_REQUEST);
}

static void a_field_sent_twice_is_refused(void)
{
	struct urlform_error e;
	CHECK(parse("consent=yes&consent=no", &e) == NULL);
	CHECK(e.code == ERR_INVALID_FIELD);
	CHECK_STR(e.field, "consent");
	/* the same name spelled with an escape is the same field */
	CHECK(parse("consent=yes&cons%65nt=no", &e) == NULL);
	CHECK_STR(e.field, "consent");
}

static void a_body_is_read_to_its_length_only(void)
{
	struct urlform_error e;
	const char body[] = "a=1&b=2";
	json_t *o = urlform_parse(body, 3, &e);
	CHECK(o != NULL && json_object_size(o) == 1);
	CHECK_STR(get(o, "a"), "1");
	json_decref(o);
}

int main(void)
{
	TEST(fields_are_decoded);
	TEST(utf8_and_empty_values);
	TEST(bad_escapes_are_refused);
	TEST(values_must_be_text);
	TEST(a_field_sent_twice_is_refused);
	TEST(a_body_is_read_to_its_length_only);
	return HARNESS_EXIT();
}
