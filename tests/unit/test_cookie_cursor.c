/* The session cookie reader and the opaque cursor codec of list pages. */
#include "auth.h"
#include "harness.h"
#include "http.h"

static void cookies_and_cursors(void)
{
	char v[64];
	CHECK(auth_cookie_value("a=1; ns_session=tok; b=2", "ns_session", v, sizeof v));
	CHECK_STR(v, "tok");
	CHECK(!auth_cookie_value("xns_session=tok", "ns_session", v, sizeof v));
	CHECK(!auth_cookie_value("ns_session=", "ns_session", v, sizeof v));
	CHECK(!auth_cookie_value(NULL, "ns_session", v, sizeof v));
	char enc[128], dec[64];
	cursor_encode("b@example.com", enc, sizeof enc);
	CHECK(cursor_decode(enc, dec, sizeof dec));
	CHECK_STR(dec, "b@example.com");
	CHECK(!cursor_decode("!!!", dec, sizeof dec));
}

int main(void)
{
	TEST(cookies_and_cursors);
	return HARNESS_EXIT();
}
