/* Escaping for the server-rendered pages (/p/): every value that reaches
 * HTML goes through here. */
#ifndef NS_HTML_H
#define NS_HTML_H
#include <stdio.h>

/* Writes @s to @f with & < > " ' replaced by character references, so
 * the text is inert in element content and in quoted attribute values
 * (never in a script, a style or an unquoted attribute: the pages have
 * none). NULL writes nothing. */
void html_put(FILE *f, const char *s);

/* @s escaped as html_put does, malloc'd (the caller frees it); NULL when
 * out of memory. */
char *html_escape(const char *s);

#endif
