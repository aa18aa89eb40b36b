/* HTML escaping (server/util/html.c): what the public pages put around
 * every value. */
#include <stdlib.h>
#include "harness.h"
#include "html.h"

static void check_escape(const char *in, const char *want)
{
	char *got = html_escape(in);
	CHECK_STR(got, want);
	free(got);
}

static void the_five_characters_are_escaped(void)
{
	check_escape("&", "&amp;");
	check_escape("<", "&lt;");
	check_escape(">", "&gt;");
	check_escape("\"", "&quot;");
	check_escape("'", "&#39;");
	check_escape("a & b < c > d \" e ' f", "a &amp; b &lt; c &gt; d &quot; e &#39; f");
}

static void hostile_strings_lose_their_markup(void)
{
	check_escape("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	check_escape("</textarea><img src=x onerror=alert(1)>",
		     "&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;");
	check_escape("\" onmouseover=\"alert(1)", "&quot; onmouseover=&quot;alert(1)");
	check_escape("' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x");
	/* an entity is shown as typed, not decoded */
	check_escape("&lt;b&gt;", "&amp;lt;b&amp;gt;");
}

static void other_text_is_kept_as_is(void)
{
	check_escape("", "");
	check_escape("Plain text, 100% safe: é ü 日本 — ok",
		     "Plain text, 100% safe: é ü 日本 — ok");
	check_escape("line\nbreak\ttab", "line\nbreak\ttab");
}

static void null_writes_nothing(void)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	html_put(f, NULL);
	html_put(f, "x<");
	fclose(f);
	CHECK_STR(out, "x&lt;");
	free(out);
}

int main(void)
{
	TEST(the_five_characters_are_escaped);
	TEST(hostile_strings_lose_their_markup);
	TEST(other_text_is_kept_as_is);
	TEST(null_writes_nothing);
	return HARNESS_EXIT();
}
