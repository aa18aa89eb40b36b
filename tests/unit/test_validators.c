/* The validators of include/model.h: ids, emails, slugs, roles, times,
 * URLs and listing cursors. */
#include "harness.h"
#include "model.h"

static void validators(void)
{
	CHECK(uuid_valid("1f1007df-4f66-4f84-9ab8-af53edde0bf6"));
	CHECK(!uuid_valid("1f1007df-4f66-4f84-9ab8-af53edde0bf"));
	CHECK(!uuid_valid("1f1007df-4f66-4f84-9ab8-af53edde0bf6x"));
	CHECK(!uuid_valid("1f1007dfx4f66-4f84-9ab8-af53edde0bf6"));
	CHECK(email_valid("a@b.co"));
	CHECK(!email_valid("a@b"));
	CHECK(!email_valid("@b.co"));
	CHECK(!email_valid("a b@c.co"));
	CHECK(!email_valid("a@b@c.co"));
	CHECK(slug_valid("cfo"));
	CHECK(slug_valid("it-lead_2"));
	CHECK(!slug_valid("-x"));
	CHECK(!slug_valid("CFO"));
	CHECK(!slug_valid(""));
	CHECK(role_from_name("marketer") == ROLE_MARKETER);
	CHECK(role_from_name("root") == ROLE_NONE);
	CHECK_STR(role_name(ROLE_ADMIN), "admin");
}

static void rfc3339_times(void)
{
	static const char *const good[] = {
	    "2024-01-15T10:20:30Z",	      "2024-01-15T10:20:30.5Z",
	    "2024-01-15T10:20:30.123456789Z", "2024-01-15T10:20:30+05:30",
	    "2024-01-15T10:20:30.25-08:00",   "2024-01-15T00:00:00-00:00",
	    "2024-12-31T23:59:59+23:59",      "2024-02-29T12:00:00Z", /* a leap year */
	    "2000-02-29T12:00:00Z",				      /* divisible by 400 */
	    "2016-12-31T23:59:60Z",				      /* a leap second */
	    "0001-01-01T00:00:00Z",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!rfc3339_valid(good[i]))
			printf("  # refused: %s\n", good[i]);
		CHECK(rfc3339_valid(good[i]));
	}
	static const char *const bad[] = {
	    "",
	    "2024-01-15",
	    "2024-01-15T10:20Z",
	    "2024-01-15 10:20:30Z",  /* a space for the T */
	    "2024-01-15t10:20:30Z",  /* lower-case t */
	    "2024-01-15T10:20:30z",  /* lower-case z */
	    "2024-01-15T10:20:30",   /* no offset */
	    "2024-01-15T10:20:30ZZ", /* trailing bytes */
	    "2024-01-15T10:20:30Z ",
	    "2024-01-15T10:20:30.Z",  /* a dot without digits */
	    "2024-01-15T10:20:30,5Z", /* a comma for the dot */
	    "2024-1-15T10:20:30Z",
	    "24-01-15T10:20:30Z",
	    "2024-00-15T10:20:30Z",
	    "2024-13-15T10:20:30Z",
	    "2024-01-00T10:20:30Z",
	    "2024-01-32T10:20:30Z",
	    "2024-04-31T10:20:30Z",
	    "2023-02-29T10:20:30Z", /* not a leap year */
	    "1900-02-29T10:20:30Z", /* divisible by 100, not by 400 */
	    "2024-02-30T10:20:30Z",
	    "2024-01-15T24:00:00Z",
	    "2024-01-15T10:60:30Z",
	    "2024-01-15T10:20:61Z",
	    "2024-01-15T10:20:30+24:00",
	    "2024-01-15T10:20:30+05:60",
	    "2024-01-15T10:20:30+0530",
	    "2024-01-15T10:20:30+05",
	    "2024-01-15T10:20:30+05:30x",
	    "2024-01-15T10:20:30 +05:30",
	    "x024-01-15T10:20:30Z",
	    "2024-01-15T1a:20:30Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (rfc3339_valid(bad[i]))
			printf("  # accepted: %s\n", bad[i]);
		CHECK(!rfc3339_valid(bad[i]));
	}
}

static void http_urls(void)
{
	static const char *const good[] = {
	    "http://example.com",
	    "https://example.com",
	    "https://example.com/a/b?c=d&e=%20f#g",
	    "http://127.0.0.1:8080/x",
	    "https://[::1]/",
	    "https://xn--bcher-kva.example/\xc3\xa4", /* bytes past ASCII pass */
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!http_url_valid(good[i]))
			printf("  # refused: %s\n", good[i]);
		CHECK(http_url_valid(good[i]));
	}
	static const char *const bad[] = {
	    "",
	    "example.com",
	    "//example.com",
	    "ftp://example.com",
	    "javascript:alert(1)",
	    "mailto:a@example.com",
	    "HTTP://example.com", /* the scheme is matched as written */
	    "http:/example.com",
	    "http://",
	    "https://",
	    "http:///path",
	    "https://exa mple.com",
	    "https://example.com/a b",
	    " https://example.com",
	    "https://example.com/\t",
	    "https://example.com/\n",
	    "https://example.com/\x7f",
	    "https://example.com/\x01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (http_url_valid(bad[i]))
			printf("  # accepted: %s\n", bad[i]);
		CHECK(!http_url_valid(bad[i]));
	}
}

static void keyset_cursors(void)
{
	CHECK(keyset_valid("2024-01-15T10:20:30.123456Z 1f1007df-4f66-4f84-9ab8-af53edde0bf6"));
	CHECK(keyset_valid("2024-01-15T10:20:30Z 1f1007df-4f66-4f84-9ab8-af53edde0bf6"));
	CHECK(keyset_valid("2024-01-15T10:20:30+02:00 1f1007df-4f66-4f84-9ab8-af53edde0bf6"));
	static const char *const bad[] = {
	    "",
	    " ",
	    "2024-01-15T10:20:30Z",					/* no id */
	    "2024-01-15T10:20:30Z ",					/* an empty id */
	    "1f1007df-4f66-4f84-9ab8-af53edde0bf6",			/* no time */
	    " 1f1007df-4f66-4f84-9ab8-af53edde0bf6",			/* an empty time */
	    "2024-01-15T10:20:30Z1f1007df-4f66-4f84-9ab8-af53edde0bf6", /* no space */
	    "2024-01-15T10:20:30Z  1f1007df-4f66-4f84-9ab8-af53edde0bf6",
	    "2024-01-15T10:20:30Z 1f1007df-4f66-4f84-9ab8-af53edde0bf6 ",
	    "2024-01-15T10:20:30Z 1f1007df-4f66-4f84-9ab8-af53edde0bf",
	    "2024-01-15T10:20:30Z 1f1007df-4f66-4f84-9ab8-af53edde0bf6x",
	    "2024-13-15T10:20:30Z 1f1007df-4f66-4f84-9ab8-af53edde0bf6",
	    "2024-01-15 1f1007df-4f66-4f84-9ab8-af53edde0bf6",
	    /* a valid time of 40 bytes or more does not fit the buffer: refused */
	    "2024-01-15T10:20:30.12345678901234567890Z 1f1007df-4f66-4f84-9ab8-af53edde0bf6",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (keyset_valid(bad[i]))
			printf("  # accepted: %s\n", bad[i]);
		CHECK(!keyset_valid(bad[i]));
	}
}

int main(void)
{
	TEST(validators);
	TEST(rfc3339_times);
	TEST(http_urls);
	TEST(keyset_cursors);
	return HARNESS_EXIT();
}
