/* HTML escaping. */
#include "html.h"

#include <stdlib.h>
#include <string.h>

void html_put(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	for (;;) {
		size_t n = strcspn(s, "&<>\"'");
		fwrite(s, 1, n, f);
		s += n;
		switch (*s++) {
		case '\0':
			return;
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default: /* ' */
			fputs("&#39;", f);
			break;
		}
	}
}

char *html_escape(const char *s)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	if (f == NULL)
		return NULL;
	html_put(f, s);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
