/* CSV output of JSON rows (csv_write_rows in csv.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"

struct buf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void put_field(struct buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		put(b, s, strlen(s));
		return;
	}
	put(b, "\"", 1);
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		put(b, s, (size_t)(q - s));
		put(b, "\"\"", 2);
	}
	put(b, s, strlen(s));
	put(b, "\"", 1);
}

/* A value as the text of its field (malloc'd), NULL for an empty field. */
static char *field_text(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_array(v)) {
		struct buf b = {0};
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (i > 0)
				put(&b, ";", 1);
			char *t = field_text(e);
			if (t != NULL)
				put(&b, t, strlen(t));
			free(t);
		}
		return b.failed ? (free(b.p), NULL) : b.p ? b.p : strdup("");
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

char *csv_write_rows(const json_t *rows, const char *const *columns, size_t *len)
{
	struct buf b = {0};
	for (size_t c = 0; columns[c]; c++) {
		if (c > 0)
			put(&b, ",", 1);
		put_field(&b, columns[c]);
	}
	put(&b, "\r\n", 2);
	size_t i;
	const json_t *row;
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; columns[c]; c++) {
			if (c > 0)
				put(&b, ",", 1);
			char *t = field_text(json_object_get(row, columns[c]));
			if (t != NULL)
				put_field(&b, t);
			free(t);
		}
		put(&b, "\r\n", 2);
	}
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
