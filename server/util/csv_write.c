/* CSV output of JSON rows (csv_write_rows in csv.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "strbuf.h"

static void put_field(struct strbuf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sb_puts(b, s);
		return;
	}
	sb_puts(b, "\"");
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		sb_put(b, s, (size_t)(q - s));
		sb_puts(b, "\"\"");
	}
	sb_puts(b, s);
	sb_puts(b, "\"");
}

/* A value as the text of its field (malloc'd), NULL for an empty field. */
static char *field_text(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_array(v)) {
		struct strbuf b = {0};
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (i > 0)
				sb_puts(&b, ";");
			char *t = field_text(e);
			if (t != NULL)
				sb_puts(&b, t);
			free(t);
		}
		return sb_take(&b, NULL);
	}
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

char *csv_write_rows(const json_t *rows, const char *const *columns, size_t *len)
{
	struct strbuf b = {0};
	for (size_t c = 0; columns[c]; c++) {
		if (c > 0)
			sb_puts(&b, ",");
		put_field(&b, columns[c]);
	}
	sb_puts(&b, "\r\n");
	size_t i;
	const json_t *row;
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; columns[c]; c++) {
			if (c > 0)
				sb_puts(&b, ",");
			char *t = field_text(json_object_get(row, columns[c]));
			if (t != NULL)
				put_field(&b, t);
			free(t);
		}
		sb_puts(&b, "\r\n");
	}
	return sb_take(&b, len);
}
