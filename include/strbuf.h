/* A growing string (strbuf.c): appends never fail midway; once memory
 * runs out the buffer says so and later appends do nothing, so a writer
 * checks once, at the end. Starts as {0}. */
#ifndef NS_STRBUF_H
#define NS_STRBUF_H
#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;    /* NUL-terminated; NULL until something was added */
	size_t len; /* bytes in s, the NUL aside */
	size_t cap;
	bool failed; /* memory ran out */
};

/* Appends @n bytes of @p. */
void sb_put(struct strbuf *b, const char *p, size_t n);

/* Appends the string @s. */
void sb_puts(struct strbuf *b, const char *s);

/* Appends what printf would print. */
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The text, for the caller to free ("" when nothing was added; its length
 * in *@len unless NULL), or NULL when memory ran out; @b is empty again. */
char *sb_take(struct strbuf *b, size_t *len);

#endif
